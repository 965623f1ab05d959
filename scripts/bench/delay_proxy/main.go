// A TCP proxy that delays every chunk it forwards, either way, by -delay, as a network with
// that one-way latency would: a chunk is read at once and written -delay after it was read,
// in order, so latency is added and throughput is not capped (reading never waits for the
// delayed writes). Standard library only; built and driven by scripts/bench/_delay_proxy.ts.
//
// Each line "host:port" on standard input opens a listener on 127.0.0.1 forwarding to that
// address and answers "host:port <listening port>" on standard output. Standard input closed
// ends the process.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// chunk is bytes read from one side and when they may be written to the other.
type chunk struct {
	data []byte
	due  time.Time
}

// forward copies from src to dst, each chunk held until `delay` after it was read. The queue
// between the reader and the writer is bounded (a slow reader of dst stops reading src).
func forward(dst, src net.Conn, delay time.Duration) {
	queue := make(chan chunk, 4096)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				queue <- chunk{buf[:n], time.Now().Add(delay)}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range queue {
		if wait := time.Until(c.due); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	// Either side gone: close both, so the other direction ends too.
	dst.Close()
	src.Close()
	for range queue {
	}
}

func serve(l net.Listener, target string, delay time.Duration) {
	for {
		client, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			upstream, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				return
			}
			for _, c := range []net.Conn{client, upstream} {
				c.(*net.TCPConn).SetNoDelay(true)
			}
			go forward(upstream, client, delay)
			forward(client, upstream, delay)
		}()
	}
}

func main() {
	delay := flag.Duration("delay", 0, "one-way delay added to every chunk, e.g. 5ms")
	flag.Parse()
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		target := strings.TrimSpace(lines.Text())
		if target == "" {
			continue
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go serve(l, target, *delay)
		fmt.Printf("%s %d\n", target, l.Addr().(*net.TCPAddr).Port)
	}
}
