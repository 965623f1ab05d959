/** The kafkit version, sent to brokers as the client software version. */
export const VERSION = "0.1.0";
