// franz-go's side of the consumer benchmark: reads the seeded topic's partitions directly
// (no group, like kafkit's partition Readers) from the start until the spec's message count,
// then prints one RESULT line. Built by scripts/bench/consumer/go.ts.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func main() {
	s := readSpec()
	offsets := map[int32]kgo.Offset{}
	for p := int32(0); p < int32(s.Partitions); p++ {
		offsets[p] = kgo.NewOffset().AtStart()
	}
	client, err := kgo.NewClient(
		kgo.SeedBrokers(s.Brokers),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{s.Topic: offsets}),
		kgo.FetchMaxBytes(int32(s.FetchBytes)),
		kgo.FetchMaxPartitionBytes(int32(s.FetchBytes)),
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
	printResult(count, bytes, wall, cpu)
}
