// The Cloudflare Workers adapter outside a Worker: what it refuses, and that it says where it
// works. Inside workerd it is tested for real by tests/workerd/workerd_test.ts.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connectWorkerd, type TlsOptions } from "../../../mod.ts";
import { RUNTIME } from "../../_env.ts";

const at = { host: "127.0.0.1", port: 9 };

describe(`connectWorkerd outside a Worker (${RUNTIME})`, () => {
  test("fails naming cloudflare:sockets, without touching the network", async () => {
    await assert.rejects(connectWorkerd(at), /cloudflare:sockets is not available.*Cloudflare/);
  });

  const refused: [string, TlsOptions, RegExp][] = [
    ["a CA", { ca: "pem" }, /^tls\.ca is not supported on Cloudflare Workers.*trustedCertificates/],
    ["a client certificate", { cert: "c", key: "k" }, /^tls\.cert\/tls\.key is not supported/],
    ["another server name", { serverName: "kafka" }, /^tls\.serverName is not supported/],
    ["no verification", { rejectUnauthorized: false }, /^tls\.rejectUnauthorized: false/],
  ];
  for (const [what, tls, message] of refused) {
    test(`TLS with ${what} is a TypeError before anything loads`, async () => {
      await assert.rejects(connectWorkerd({ ...at, tls }), (e: unknown) => {
        assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  test("a server name equal to the host is what it verifies anyway, so it is accepted", async () => {
    const tls = { serverName: at.host, rejectUnauthorized: true };
    await assert.rejects(connectWorkerd({ ...at, tls }), /cloudflare:sockets is not available/);
  });
});
