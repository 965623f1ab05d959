import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { negotiateVersion } from "../../../src/protocol/negotiate.ts";
import {
  ApiVersions,
  Fetch,
  InitProducerId,
  Metadata,
  Produce,
} from "../../../src/protocol/generated/index.ts";
import { UnsupportedVersionError } from "../../../src/errors.ts";

describe("negotiateVersion", () => {
  test("picks the highest version both sides support", () => {
    assert.equal(negotiateVersion(Metadata, { min: 0, max: 99 }), Metadata.maxVersion);
    assert.equal(negotiateVersion(Fetch, { min: 4, max: 12 }), 12);
    assert.equal(negotiateVersion(ApiVersions, { min: 0, max: 3 }), 3);
  });

  test("honours a cap but not below the floors", () => {
    assert.equal(negotiateVersion(Metadata, { min: 0, max: 13 }, 4), 4);
    assert.throws(() => negotiateVersion(Fetch, { min: 4, max: 18 }, 3), UnsupportedVersionError);
  });

  test("treats Produce v3 as the floor even when a broker advertises v0 (KAFKA-18659)", () => {
    assert.equal(negotiateVersion(Produce, { min: 0, max: 13 }), 13);
    assert.throws(() => negotiateVersion(Produce, { min: 0, max: 13 }, 2), /v3-13/);
    assert.throws(() => negotiateVersion(Produce, { min: 0, max: 2 }), UnsupportedVersionError);
  });

  test("never chooses an unstable latest version", () => {
    assert.equal(InitProducerId.latestVersionUnstable, true);
    const v = negotiateVersion(InitProducerId, { min: 0, max: InitProducerId.maxVersion });
    assert.equal(v, InitProducerId.maxVersion - 1);
  });

  test("an API the broker lacks is an UnsupportedVersionError naming it", () => {
    assert.throws(() => negotiateVersion(Metadata, undefined, undefined, "broker 1.2.3.4:9092"), {
      name: "UnsupportedVersionError",
      message: "broker 1.2.3.4:9092 does not support Metadata",
    });
  });
});
