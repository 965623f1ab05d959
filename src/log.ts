/**
 * Structured logging: a {@linkcode Logger} gets a level, a message and fields. Every client
 * is silent by default; `log` in a config (or the older string callbacks `logger` and
 * `errorLogger`, adapted by {@linkcode stringLogger}) turns it on. Secrets never reach a
 * logger: fields named like credentials are redacted and bytes are logged as their length.
 *
 * @example
 * ```ts
 * import { consoleLogger, Writer } from "@kafkit/kafkit";
 * const w = new Writer({ brokers: "localhost:9092", topic: "t", log: consoleLogger("info") });
 * await w.close();
 * ```
 *
 * @module
 */

/** How much a log entry matters, least first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The details of a log entry: topic, partition, group id, broker, error... */
export type LogFields = Record<string, unknown>;

/** Receives kafkit's log entries. */
export interface Logger {
  /** One entry; must not throw (what it throws is ignored). */
  log(level: LogLevel, message: string, fields: LogFields): void;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** The logger that drops everything (the default). */
export const silentLogger: Logger = { log() {} };

/**
 * Adapts the string callbacks of kafka-go's style: `info` gets debug and info entries,
 * `error` warnings and errors, each as one line, `message key=value ...`.
 */
export function stringLogger(
  info: ((line: string) => void) | undefined,
  error: ((line: string) => void) | undefined,
): Logger {
  return {
    log(level, message, fields) {
      const write = level === "warn" || level === "error" ? error : info;
      write?.(formatLine(message, fields));
    },
  };
}

/**
 * A logger that writes JSON lines (`{"level","message",...fields}`) to the console, from
 * `minLevel` up (default `"info"`).
 */
export function consoleLogger(minLevel: LogLevel = "info"): Logger {
  const min = levelIndex(minLevel);
  return {
    log(level, message, fields) {
      if (LEVELS.indexOf(level) < min) return;
      const line = JSON.stringify({ level, message, ...fields });
      if (level === "error" || level === "warn") console.error(line);
      else console.log(line);
    },
  };
}

/** `message key=value ...`, with strings that hold spaces or quotes quoted. */
export function formatLine(message: string, fields: LogFields): string {
  const parts = [message];
  for (const [k, v] of Object.entries(fields)) {
    const text = typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
    parts.push(`${k}=${typeof v === "string" && /[\s"=]/.test(v) ? JSON.stringify(v) : text}`);
  }
  return parts.join(" ");
}

function levelIndex(level: LogLevel): number {
  const i = LEVELS.indexOf(level);
  if (i < 0) throw new RangeError(`log level must be one of ${LEVELS.join(", ")}, got ${level}`);
  return i;
}

/** Field names whose values are never logged. */
const SECRET = /pass|secret|token|credential|auth|sasl|private|key_?store/i;

/** Fields safe to log: secrets redacted, bytes as their length, errors as their message. */
export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) out[k] = SECRET.test(k) ? "[redacted]" : safe(v);
  return out;
}

function safe(v: unknown): unknown {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v instanceof Error) return v.message;
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    return redact(v as LogFields);
  }
  return v;
}

/**
 * What the clients log through: levelled calls that redact their fields and shield the
 * client from a logger that throws.
 */
export class Log {
  readonly #logger: Logger;

  /** A log writing to `logger`. */
  constructor(logger: Logger = silentLogger) {
    this.#logger = logger;
  }

  /** The logger entries go to. */
  get logger(): Logger {
    return this.#logger;
  }

  /** Whether entries go anywhere (to skip building costly fields). */
  get enabled(): boolean {
    return this.#logger !== silentLogger;
  }

  /** A debug entry. */
  debug(message: string, fields: LogFields = {}): void {
    this.#write("debug", message, fields);
  }

  /** An informational entry. */
  info(message: string, fields: LogFields = {}): void {
    this.#write("info", message, fields);
  }

  /** A warning: something failed and is retried or worked around. */
  warn(message: string, fields: LogFields = {}): void {
    this.#write("warn", message, fields);
  }

  /** An error the application should know of. */
  error(message: string, fields: LogFields = {}): void {
    this.#write("error", message, fields);
  }

  #write(level: LogLevel, message: string, fields: LogFields): void {
    if (!this.enabled) return;
    try {
      this.#logger.log(level, message, redact(fields));
    } catch {
      // A logger's failure must not become the client's.
    }
  }
}

/**
 * A client's log: its config's (see {@linkcode logOf}) when it sets one, else that of the
 * shared core it was given.
 */
export function clientLog(config: LogConfig, core: { readonly log: Log } | undefined): Log {
  const own = config.log !== undefined || config.logger !== undefined ||
    config.errorLogger !== undefined;
  return own || core === undefined ? logOf(config) : core.log;
}

/** The log options of a config. */
export interface LogConfig {
  /** Structured log entries. */
  log?: Logger;
  /** Debug and info entries as lines. */
  logger?: (message: string) => void;
  /** Warnings and errors as lines. */
  errorLogger?: (message: string) => void;
}

/**
 * The log of a client config: `log` if given, else the string callbacks adapted, else
 * silent. Checks that `log` is a Logger.
 */
export function logOf(config: LogConfig): Log {
  const { log, logger, errorLogger } = config;
  if (log !== undefined) {
    if (typeof log?.log !== "function") throw new TypeError("log must be a Logger ({ log() })");
    return new Log(log);
  }
  for (const [name, f] of [["logger", logger], ["errorLogger", errorLogger]] as const) {
    if (f !== undefined && typeof f !== "function") {
      throw new TypeError(`${name} must be a function`);
    }
  }
  if (logger === undefined && errorLogger === undefined) return new Log();
  return new Log(stringLogger(logger, errorLogger));
}
