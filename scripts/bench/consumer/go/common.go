// What both Go peers share, copied beside each one's main.go when it is built: the run
// description (the orchestrator's RunSpec, as JSON in the first argument), the process's CPU
// time, and the RESULT line.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"syscall"
	"time"
)

type spec struct {
	Brokers       string  `json:"brokers"`
	Topic         string  `json:"topic"`
	Partitions    int     `json:"partitions"`
	Messages      int     `json:"messages"`
	Ends          []int64 `json:"ends"`
	FetchBytes    int     `json:"fetchBytes"`
	MaxWaitMs     int     `json:"maxWaitMs"`
	QueueCapacity int     `json:"queueCapacity"`
	IdleTimeoutMs int     `json:"idleTimeoutMs"`
}

func readSpec() spec {
	var s spec
	if err := json.Unmarshal([]byte(os.Args[1]), &s); err != nil {
		panic(err)
	}
	return s
}

// cpuMs is the process's user + system CPU time so far, every thread.
func cpuMs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6
}

func printResult(messages, bytes int, wall time.Duration, cpuMs float64) {
	out, _ := json.Marshal(map[string]any{
		"messages": messages, "bytes": bytes,
		"wallMs": float64(wall.Nanoseconds()) / 1e6, "cpuMs": cpuMs,
	})
	fmt.Println("RESULT " + string(out))
}
