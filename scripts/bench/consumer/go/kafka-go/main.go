// kafka-go's side of the consumer benchmark: one partition Reader per partition (no group,
// like kafkit's partition Readers) from the first offset to the partition's end offset, then
// one RESULT line. Built by scripts/bench/consumer/go.ts.
package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

func main() {
	s := readSpec()
	readers := make([]*kafka.Reader, s.Partitions)
	for p := range readers {
		readers[p] = kafka.NewReader(kafka.ReaderConfig{
			Brokers:       []string{s.Brokers},
			Topic:         s.Topic,
			Partition:     p,
			MinBytes:      1,
			MaxBytes:      s.FetchBytes,
			MaxWait:       time.Duration(s.MaxWaitMs) * time.Millisecond,
			QueueCapacity: s.QueueCapacity,
		})
		if err := readers[p].SetOffset(kafka.FirstOffset); err != nil {
			panic(err)
		}
	}
	counts, sizes := make([]int, s.Partitions), make([]int, s.Partitions)
	var wg sync.WaitGroup
	t0, cpu0 := time.Now(), cpuMs()
	for p, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for counts[p] < int(s.Ends[p]) {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(s.IdleTimeoutMs)*time.Millisecond)
				m, err := r.FetchMessage(ctx)
				cancel()
				if err != nil {
					fmt.Fprintf(os.Stderr, "partition %d after %d: %v\n", p, counts[p], err)
					os.Exit(1)
				}
				counts[p]++
				sizes[p] += len(m.Value)
			}
		}()
	}
	wg.Wait()
	wall, cpu := time.Since(t0), cpuMs()-cpu0
	count, bytes := 0, 0
	for p := range counts {
		count += counts[p]
		bytes += sizes[p]
	}
	for _, r := range readers {
		r.Close()
	}
	printResult(count, bytes, wall, cpu)
}
