package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/llm-simulator/llm-simulator/config"
)

// tokenCheck holds the admin token's SHA-256 digest, not the token:
// comparing digests in constant time takes as long whatever the length
// of the token sent, so timing tells a caller nothing of the real one.
type tokenCheck struct {
	digest [sha256.Size]byte
	set    bool
}

func newTokenCheck(token string) tokenCheck {
	if token == "" {
		return tokenCheck{}
	}
	return tokenCheck{digest: sha256.Sum256([]byte(token)), set: true}
}

// allows: no token is set, or r carries it as "Bearer TOKEN" (the scheme
// in any case, as RFC 9110 has it).
func (c tokenCheck) allows(r *http.Request) bool {
	if !c.set {
		return true
	}
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	got := sha256.Sum256([]byte(strings.TrimLeft(token, " ")))
	match := subtle.ConstantTimeCompare(got[:], c.digest[:]) == 1
	return match && strings.EqualFold(scheme, "Bearer")
}

// CheckExposure refuses an admin listener off loopback with no token:
// anyone who can reach it could turn every request into an error.
func CheckExposure(listen, token string) error { return config.CheckAdminExposure(listen, token) }

// IsLoopback reports an address whose host is a loopback IP or
// "localhost"; an empty host (all interfaces) is not.
func IsLoopback(addr string) bool { return config.LoopbackAddress(addr) }

// ReadTokenFile reads the admin token from file, as the server reads
// admin.token_file: one line, the trailing newline dropped.
func ReadTokenFile(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	token, err := config.TokenFromFile(data)
	if err != nil {
		return "", fmt.Errorf("token file %s %w", file, err)
	}
	return token, nil
}
