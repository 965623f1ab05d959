/** The kafkit version, sent to brokers as the client software version. */
export const VERSION = "0.1.0";

/**
 * The client id sent with every request when a config sets no `clientId` (kafka-go's
 * `DefaultClientID`; brokers log and quota by it).
 */
export const DEFAULT_CLIENT_ID = "kafkit";

/**
 * What ApiVersions v3+ names the client: brokers refuse an empty name (INVALID_REQUEST) and
 * show these in their client metrics.
 */
export const CLIENT_SOFTWARE: {
  readonly clientSoftwareName: string;
  readonly clientSoftwareVersion: string;
} = Object.freeze({ clientSoftwareName: "kafkit", clientSoftwareVersion: VERSION });
