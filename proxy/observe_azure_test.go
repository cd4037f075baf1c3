package proxy

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// explain and the journal show an Azure call as Azure's, with its
// deployment as the model, and never its api-key.
func TestAzureExplainAndJournal(t *testing.T) {
	f := observedFrontWith(t, azureYAML)
	path := azureConfPath("chat-prod", "chat/completions")
	header := http.Header{"Api-Key": {"az-very-secret"}}
	e, err := f.Explain("POST", path, header, []byte(`{"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if e.Provider != "azure" || e.Dialect != "azure" || e.Model != "chat-prod" || e.Rule != "azure-chat" {
		t.Fatalf("explain: %+v", e)
	}
	r := httptest.NewRequest("POST", path, strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
	r.Header = header.Clone()
	rec := httptest.NewRecorder()
	f.ServeHTTP(rec, r)
	got := lastRecord(t, f.Journal)
	if rec.Code != 200 || got.Provider != "azure" || got.Model != "chat-prod" || got.Rule != "azure-chat" ||
		got.Path != "/openai/deployments/chat-prod/chat/completions" || got.RequestID != rec.Header().Get("Apim-Request-Id") {
		t.Fatalf("journal: %+v (answer %d %v)", got, rec.Code, rec.Header())
	}
	if strings.Contains(fmt.Sprintf("%+v %+v", got, e), "az-very-secret") {
		t.Fatalf("the journal or explain holds the api-key: %+v %+v", got, e)
	}
}
