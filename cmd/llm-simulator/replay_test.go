package main

import (
	"context"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/llm-simulator/llm-simulator/proxy"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

const tapeConfig = `version: 1
providers:
  openai: {upstream: "UPSTREAM", ca_file: ./upstream-ca.pem}
cache: {dir: ./cassettes}
rules:
  - name: tape
    action: ACTION
    cassette: {timing: instant}
`

// tapeAnswers is what an app got from a chat call and a chat stream.
func tapeAnswers(t *testing.T, listen string) [2]string {
	t.Helper()
	c := openai.NewClient(option.WithBaseURL("http://"+listen+"/v1"), option.WithAPIKey("sk-live-SECRET-key"), option.WithMaxRetries(0))
	params := openai.ChatCompletionNewParams{Model: "gpt-4o",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("record me")}}
	got, err := c.Chat.Completions.New(context.Background(), params)
	if err != nil {
		t.Fatal(err)
	}
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	return [2]string{got.ID + ":" + got.Choices[0].Message.Content, acc.ID + ":" + acc.Choices[0].Message.Content}
}

// Recorded by one process from an upstream, replayed by the next with the
// upstream gone: the app sees the same answers, and the key it sent is
// nowhere in the cassettes.
func TestRecordInOneProcessReplayInTheNext(t *testing.T) {
	up := httptest.NewTLSServer(&proxy.Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 9})
	dir := t.TempDir()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "upstream-ca.pem"), caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	config := func(action string) string {
		path := filepath.Join(dir, action+".yaml")
		body := strings.NewReplacer("UPSTREAM", up.URL, "ACTION", action).Replace(tapeConfig)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}

	rec, ready := startBinary(t, "--config", config("record"))
	recorded := tapeAnswers(t, ready.Listen)
	if err := rec.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := rec.Wait(); err != nil {
		t.Fatalf("the recording process: %v", err)
	}
	up.Close()

	_, ready = startBinary(t, "--config", config("replay"))
	if replayed := tapeAnswers(t, ready.Listen); replayed != recorded {
		t.Fatalf("replayed %q, recorded %q", replayed, recorded)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "cassettes", "*.json"))
	if len(files) != 2 {
		t.Fatalf("%d recordings: %v", len(files), files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), "SECRET") {
			t.Fatalf("%s holds the API key", f)
		}
	}
}
