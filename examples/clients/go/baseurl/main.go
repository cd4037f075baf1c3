// Command baseurl calls OpenAI and Anthropic through llm-simulator by base
// URL, with the official Go SDKs. Both SDKs read their base URL from the
// environment, so an app needs no code change to be pointed at the
// simulator — only these variables:
//
//	llm-simulator &
//	OPENAI_BASE_URL=http://127.0.0.1:8080/v1 OPENAI_API_KEY=any \
//	ANTHROPIC_BASE_URL=http://127.0.0.1:8080 ANTHROPIC_API_KEY=any \
//	go run ./examples/clients/go/baseurl
//
// It streams one chat completion and asks for one Anthropic message, and
// prints what each answered and why it stopped.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "baseurl:", err)
		os.Exit(1)
	}
}

func run() error {
	// Without a base URL the SDKs would call the real APIs: refuse, so a
	// missing variable cannot turn a drill into a bill.
	for _, name := range []string{"OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"} {
		if os.Getenv(name) == "" {
			return fmt.Errorf("%s is not set; point it at llm-simulator", name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	oc := openai.NewClient() // OPENAI_BASE_URL, OPENAI_API_KEY
	stream := oc.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello.")},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		return fmt.Errorf("openai stream: %w", err)
	}
	// A stream can end cleanly without its last chunk (a cut connection):
	// only a finish_reason says the answer is whole.
	if len(acc.Choices) == 0 || acc.Choices[0].FinishReason == "" {
		return fmt.Errorf("openai stream: ended without a finish_reason")
	}
	fmt.Printf("openai stream: %q (finish_reason %s)\n", acc.Choices[0].Message.Content, acc.Choices[0].FinishReason)

	ac := anthropic.NewClient() // ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY
	msg, err := ac.Messages.New(ctx, anthropic.MessageNewParams{
		Model:     "claude-sonnet-5-5",
		MaxTokens: 256,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello."))},
	})
	if err != nil {
		return fmt.Errorf("anthropic message: %w", err)
	}
	if len(msg.Content) == 0 {
		return fmt.Errorf("anthropic message: no content")
	}
	fmt.Printf("anthropic message: %q (stop_reason %s)\n", msg.Content[0].Text, msg.StopReason)
	return nil
}
