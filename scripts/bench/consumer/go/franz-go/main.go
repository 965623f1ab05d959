// franz-go's side of the consumer benchmark: reads the seeded topic's partitions directly
// (no group, like kafkit's partition Readers) from the start until the spec's message count,
// then prints one RESULT line. Built by scripts/bench/consumer/go.ts.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

type spec struct {
	Brokers       string `json:"brokers"`
	Topic         string `json:"topic"`
	Partitions    int32  `json:"partitions"`
	Messages      int    `json:"messages"`
	FetchBytes    int32  `json:"fetchBytes"`
	MaxWaitMs     int    `json:"maxWaitMs"`
	IdleTimeoutMs int    `json:"idleTimeoutMs"`
}

// cpuMs is the process's user + system CPU time so far.
func cpuMs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func main() {
	var s spec
	if err := json.Unmarshal([]byte(os.Args[1]), &s); err != nil {
		panic(err)
	}
	offsets := map[int32]kgo.Offset{}
	for p := int32(0); p < s.Partitions; p++ {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	client, err := kgo.NewClient(
		kgo.SeedBrokers(s.Brokers),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.Topic: offsets}),
		kgo.FetchMaxBytes(s.FetchBytes),
		kgo.FetchMaxPartitionBytes(s.FetchBytes),
		kgo.FetchMaxWait(time.Duration(s.MaxWaitMs)*time.Millisecond),
		kgo.FetchMinBytes(1),
		// franz-go compresses produced batches with snappy by default; it only reads here.
		kgo.ProducerBatchCompression(kgo.NoCompression()),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	t0, cpu0 := time.Now(), cpuMs()
	count, bytes := 0, 0
	for count < s.Messages {
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.IdleTimeoutMs)*time.Millisecond)
		fetches := client.PollFetches(ctx)
		cancel()
		if err := ctx.Err(); err != nil && fetches.NumRecords() == 0 {
			fmt.Fprintf(os.Stderr, "no message for %d ms after %d\n", s.IdleTimeoutMs, count)
			os.Exit(1)
		}
		fetches.EachError(func(t string, p int32, err error) {
			if err != context.DeadlineExceeded {
				fmt.Fprintf(os.Stderr, "fetch %s/%d: %v\n", t, p, err)
				os.Exit(1)
			}
		})
		fetches.EachRecord(func(r *kgo.Record) {
			count++
			bytes += len(r.Value)
		})
	}
	wall, cpu := time.Since(t0), cpuMs()-cpu0
	out, _ := json.Marshal(map[string]any{
		"messages": count, "bytes": bytes,
		"wallMs": float64(wall.Nanoseconds()) / 1e6, "cpuMs": cpu,
	})
	fmt.Println("RESULT " + string(out))
}
