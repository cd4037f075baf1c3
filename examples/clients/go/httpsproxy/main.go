// Command httpsproxy calls https://api.openai.com and
// https://api.anthropic.com — the production URLs, unchanged — through
// llm-simulator as its HTTPS_PROXY, with the official Go SDKs. The
// simulator answers those hosts with certificates from its local CA, so
// the app must trust that CA: here on top of the system's roots, so the
// app's other HTTPS calls keep working.
//
//	llm-simulator &
//	HTTPS_PROXY=http://127.0.0.1:8080 NO_PROXY=localhost,127.0.0.1,.svc,.cluster.local \
//	LLMSIM_CA_FILE="$(llm-simulator ca path)" \
//	OPENAI_API_KEY=any ANTHROPIC_API_KEY=any \
//	go run ./examples/clients/go/httpsproxy
//
// (SSL_CERT_FILE="$(llm-simulator ca path)" does the same for a whole
// process without code, but replaces the system's roots.) It asks for one
// chat completion and streams one Anthropic message, and prints what each
// answered and why it stopped.
//
// NO_PROXY names what the app reaches directly: the proxy refuses to
// tunnel or forward to loopback, private and cluster addresses unless its
// egress.allow names them (docs/security.md), so in-cluster services
// belong there, not behind HTTPS_PROXY.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "httpsproxy:", err)
		os.Exit(1)
	}
}

func run() error {
	// Without the proxy these calls would reach the real APIs: refuse.
	if os.Getenv("HTTPS_PROXY") == "" && os.Getenv("https_proxy") == "" {
		return fmt.Errorf("HTTPS_PROXY is not set; point it at llm-simulator")
	}
	hc, err := trustingClient(os.Getenv("LLMSIM_CA_FILE"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	oc := openai.NewClient(option.WithHTTPClient(hc)) // OPENAI_API_KEY
	chat, err := oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:    "gpt-4o-mini",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello.")},
	})
	if err != nil {
		return fmt.Errorf("openai chat: %w", err)
	}
	fmt.Printf("openai chat: %q (finish_reason %s)\n", chat.Choices[0].Message.Content, chat.Choices[0].FinishReason)

	ac := anthropic.NewClient(aoption.WithHTTPClient(hc)) // ANTHROPIC_API_KEY
	stream := ac.Messages.NewStreaming(ctx, anthropic.MessageNewParams{
		Model:     "claude-sonnet-5-5",
		MaxTokens: 256,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello."))},
	})
	var msg anthropic.Message
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			return fmt.Errorf("anthropic stream: %w", err)
		}
	}
	if err := stream.Err(); err != nil {
		return fmt.Errorf("anthropic stream: %w", err)
	}
	// A stream cut short ends without message_delta: no stop_reason.
	if msg.StopReason == "" || len(msg.Content) == 0 {
		return fmt.Errorf("anthropic stream: ended without a stop_reason")
	}
	fmt.Printf("anthropic stream: %q (stop_reason %s)\n", msg.Content[0].Text, msg.StopReason)
	return nil
}

// trustingClient is an HTTP client that goes through the environment's
// proxy and trusts the system's roots plus the PEM file caFile.
func trustingClient(caFile string) (*http.Client, error) {
	if caFile == "" {
		return nil, fmt.Errorf("LLMSIM_CA_FILE is not set; use the path `llm-simulator ca path` prints")
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool() // no system roots here: the CA alone
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", caFile)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone() // keeps Proxy: http.ProxyFromEnvironment
	tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	return &http.Client{Transport: tr}, nil
}
