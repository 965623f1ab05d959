// segmentio/kafka-go's group Reader as an interop peer: a small Go program built once from the
// Go module proxy (cached under the temp dir, keyed by its source) and run as a child process.

import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { eachLine } from "./_lines.ts";

/** The kafka-go version the peer is built with. */
export const KAFKA_GO_VERSION = "v0.4.51";

const GO_MOD = `module kafkitpeer

go 1.23

require github.com/segmentio/kafka-go ${KAFKA_GO_VERSION}
`;

// Reads the group until stdin closes, then closes the Reader (committing, leaving the group).
// Each message read (and so committed) prints "M <partition> <offset> <value>".
const MAIN_GO = `package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

func main() {
	brokers := flag.String("brokers", "", "comma-separated brokers")
	topic := flag.String("topic", "", "topic")
	group := flag.String("group", "", "group id")
	balancer := flag.String("balancer", "range", "range or roundrobin")
	clientID := flag.String("client-id", "kafka-go-peer", "client id")
	flag.Parse()
	var b kafka.GroupBalancer = kafka.RangeGroupBalancer{}
	if *balancer == "roundrobin" {
		b = kafka.RoundRobinGroupBalancer{}
	}
	var mu sync.Mutex
	say := func(format string, args ...interface{}) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\\n", args...)
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:           strings.Split(*brokers, ","),
		Topic:             *topic,
		GroupID:           *group,
		GroupBalancers:    []kafka.GroupBalancer{b},
		Dialer:            &kafka.Dialer{ClientID: *clientID, Timeout: 10 * time.Second},
		HeartbeatInterval: 500 * time.Millisecond,
		SessionTimeout:    6 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  500 * time.Millisecond,
		MaxWait:           200 * time.Millisecond,
		StartOffset:       kafka.FirstOffset,
		ErrorLogger: kafka.LoggerFunc(func(msg string, args ...interface{}) {
			fmt.Fprintf(os.Stderr, msg+"\\n", args...)
		}),
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		cancel()
	}()
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			say("E %s", strings.ReplaceAll(err.Error(), "\\n", " "))
			time.Sleep(100 * time.Millisecond)
			continue
		}
		say("M %d %d %s", m.Partition, m.Offset, string(m.Value))
	}
	if err := r.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "close: %v\\n", err)
	}
}
`;

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd,
        // Module mode fetches kafka-go (and writes go.sum) through the machine's module proxy.
        env: { ...process.env, GOFLAGS: "-mod=mod", CGO_ENABLED: "0" },
        timeout: 300_000,
      },
      (err, _out, stderr) =>
        err ? reject(new Error(`${cmd} ${args.join(" ")}: ${stderr}`)) : resolve(),
    );
  });
}

let built: Promise<string> | undefined;

/** The peer's binary: built on first use, then reused across runs until its source changes. */
export function kafkaGoPeer(): Promise<string> {
  built ??= (async () => {
    const hash = createHash("sha256").update(GO_MOD).update(MAIN_GO).digest("hex").slice(0, 16);
    const dir = join(tmpdir(), `kafkit-kafka-go-peer-${hash}`);
    const binary = join(dir, "peer");
    if (existsSync(binary)) return binary;
    // Built aside and renamed into place, so runtimes building at once never see half a binary.
    const work = mkdtempSync(join(tmpdir(), "kafkit-kafka-go-build-"));
    try {
      writeFileSync(join(work, "go.mod"), GO_MOD);
      writeFileSync(join(work, "main.go"), MAIN_GO);
      await run("go", ["build", "-o", "peer", "."], work);
      mkdirSync(dir, { recursive: true });
      renameSync(join(work, "peer"), binary);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return binary;
  })();
  return built;
}

/** Options of a {@linkcode KafkaGoReader}. */
export interface KafkaGoReaderOptions {
  brokers: string[];
  topic: string;
  groupId: string;
  balancer: "range" | "roundrobin";
  clientId: string;
}

/** One message the peer read (and committed). */
export interface KafkaGoMessage {
  partition: number;
  offset: number;
  value: string;
}

/** A running kafka-go group Reader; `close()` makes it close its Reader and exit. */
export class KafkaGoReader {
  readonly messages: KafkaGoMessage[] = [];
  readonly errors: string[] = [];
  #stderr = "";
  readonly #child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<number | null>;

  constructor(binary: string, o: KafkaGoReaderOptions) {
    this.#child = spawn(binary, [
      "-brokers",
      o.brokers.join(","),
      "-topic",
      o.topic,
      "-group",
      o.groupId,
      "-balancer",
      o.balancer,
      "-client-id",
      o.clientId,
    ], { stdio: ["pipe", "pipe", "pipe"] });
    this.exited = new Promise((resolve) => {
      this.#child.on("exit", (code) => resolve(code));
      this.#child.on("error", (e) => {
        this.#stderr += `spawn error: ${e}\n`;
        resolve(-1);
      });
    });
    eachLine(this.#child.stdout, (line) => {
      const m = /^M (\d+) (\d+) (.*)$/.exec(line);
      if (m) this.messages.push({ partition: +m[1], offset: +m[2], value: m[3] });
      else if (line.startsWith("E ")) this.errors.push(line.slice(2));
    });
    this.#child.stderr.setEncoding("utf8");
    this.#child.stderr.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
  }

  /** Closes the peer's Reader (it commits and leaves the group) and waits for it to exit. */
  async close(graceMs = 15_000): Promise<void> {
    this.#child.stdin.end();
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** What it read and said, for assertion messages. */
  diagnostics(): string {
    return `read ${this.messages.length}; errors: ${this.errors.slice(-5).join(" | ")}; ` +
      `stderr: ${this.#stderr.slice(-1500)}`;
  }
}
