// Command bare is the load benchmark's baseline: the leanest net/http
// server that answers every request with the same bytes the simulator
// sent, so the difference between the two is what the simulator costs.
//
//	bare -listen 127.0.0.1:0 -body resp.bin -headers resp.headers
//	bare -listen 127.0.0.1:0 -body stream.txt -headers stream.headers -sse
//
// -headers names a file of "Name: value" lines (as curl -D writes them) to
// send with every response, so both servers put the same bytes on the
// wire; Date, Content-Length and Transfer-Encoding are left to net/http.
// With -sse the body is an event stream, written and flushed one event at
// a time as the simulator does. It prints "listening on ADDR" when ready.
//
// -first and -gap pace a stream as a model would, for the streaming scale
// and timing benchmarks (bench/scale.sh): the first event -first after the
// request arrived, then one every -gap on an absolute schedule, so time
// spent writing does not add up as drift. -head and -tail shape it as the
// simulator shapes a chat stream: its first two events (the role delta and
// the first token) go out together, and its last two (the finish reason
// and [DONE]) right after the last token, hence -head 2 -tail 2. -json
// answers the requests among them that do not ask for a stream ("stream":
// true in the body) with another file, so one process serves both:
//
//	bare -body stream.txt -headers stream.headers -sse -first 100ms -gap 100ms -head 2 -tail 2 \
//	    -json chat.json -json-headers chat.headers
//
// With -tls it serves HTTPS (h2 or HTTP/1.1 by ALPN, as llm-simulator's
// interception does) with a self-signed ECDSA P-256 certificate, the key
// type of the simulator's leaves, generated at start and valid for
// 127.0.0.1 and localhost; -cert writes that certificate to a file so
// clients can trust it:
//
//	bare -listen 127.0.0.1:0 -body resp.bin -headers resp.headers -tls -cert bare.pem
package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address")
	bodyFile := flag.String("body", "", "file holding the response body")
	headerFile := flag.String("headers", "", "file of response headers to send (curl -D format)")
	sse := flag.Bool("sse", false, "the body is an event stream: flush per event")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address, to compare profiles")
	useTLS := flag.Bool("tls", false, "serve HTTPS with a self-signed certificate generated at start")
	certOut := flag.String("cert", "", "with -tls, write the certificate (PEM) to this file")
	var p pacing
	flag.DurationVar(&p.first, "first", 0, "with -sse, wait this long before the first event")
	flag.DurationVar(&p.gap, "gap", 0, "with -sse, wait this long between events")
	flag.IntVar(&p.head, "head", 1, "with -gap, how many events go out together first")
	flag.IntVar(&p.tail, "tail", 0, "with -gap, how many last events go out right after the one before them")
	jsonFile := flag.String("json", "", "with -sse, answer requests not asking for a stream with this file's body")
	jsonHeaderFile := flag.String("json-headers", "", "the headers sent with -json's body (curl -D format)")
	flag.Parse()
	if *pprofAddr != "" {
		go func() { log.Println(http.ListenAndServe(*pprofAddr, nil)) }()
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		log.Fatal(err)
	}
	header, err := readHeaders(*headerFile)
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	if *useTLS {
		if ln, err = tlsListener(ln, *certOut); err != nil {
			log.Fatal(err)
		}
	}
	var h http.HandlerFunc
	switch {
	case *sse && (p.first > 0 || p.gap > 0 || *jsonFile != ""):
		var plain http.HandlerFunc
		if *jsonFile != "" {
			if plain, err = jsonHandler(*jsonFile, *jsonHeaderFile); err != nil {
				log.Fatal(err)
			}
		}
		h = pacedStream(splitEvents(body), header, p, plain)
	case *sse:
		events := bytes.SplitAfter(body, []byte("\n\n"))
		h = func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			copyHeader(w.Header(), header)
			f := w.(http.Flusher)
			for _, ev := range events {
				if len(ev) > 0 {
					_, _ = w.Write(ev)
					f.Flush()
				}
			}
		}
	default:
		h = plainHandler(body, header)
	}
	fmt.Println("listening on", ln.Addr())
	log.Fatal(http.Serve(ln, h))
}

// plainHandler answers every request with body, as JSON of a known
// length.
func plainHandler(body []byte, header http.Header) http.HandlerFunc {
	length := strconv.Itoa(len(body))
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		copyHeader(w.Header(), header)
		w.Header().Set("Content-Length", length)
		_, _ = w.Write(body)
	}
}

// tlsListener wraps ln in TLS with a fresh self-signed certificate, which
// it writes as PEM to certOut (when not empty) before returning, so the
// file is there once "listening on" is printed. http.Serve speaks h2 on
// the connections that negotiate it.
func tlsListener(ln net.Listener, certOut string) (net.Listener, error) {
	cert, err := selfSigned()
	if err != nil {
		return nil, err
	}
	if certOut != "" {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
		if err := os.WriteFile(certOut, block, 0o644); err != nil {
			return nil, err
		}
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	return tls.NewListener(ln, cfg), nil
}

// selfSigned is a certificate for 127.0.0.1 and localhost that is its own
// issuer, so trusting it alone is enough; like httptest's, it is marked a
// CA, which some verifiers want of a trust anchor.
func selfSigned() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "bench/bare"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// readHeaders reads "Name: value" lines, skipping the status line and the
// headers net/http writes itself.
func readHeaders(path string) (http.Header, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	if path == "" {
		return h, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h = http.Header{}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || strings.HasPrefix(name, "HTTP/") {
			continue
		}
		switch http.CanonicalHeaderKey(name) {
		case "Date", "Content-Length", "Transfer-Encoding":
			continue
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}
