package admin

import (
	"fmt"
	"net/http"
	"time"

	"github.com/llm-simulator/llm-simulator/cassette"
)

// maxImport bounds an uploaded cassette archive (the store checks each
// file's size too).
const maxImport = 1 << 30

// CacheView is GET /api/v1/cache: the counters and the recent misses.
type CacheView struct {
	Dir    string          `json:"dir"`
	Stats  cassette.Stats  `json:"stats"`
	Misses []cassette.Miss `json:"recent_misses"`
}

func (s *Server) registerCache(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/cache", func(w http.ResponseWriter, _ *http.Request) {
		if s.Cassettes == nil {
			off(w, "the cassette cache")
			return
		}
		misses := s.Cassettes.Misses()
		if misses == nil {
			misses = []cassette.Miss{}
		}
		writeJSON(w, http.StatusOK, CacheView{Dir: s.Cassettes.Dir(), Stats: s.Cassettes.Stats(), Misses: misses})
	})
	mux.HandleFunc("DELETE /api/v1/cache", s.purge)
	mux.HandleFunc("GET /api/v1/cache/export", s.export)
	mux.HandleFunc(routeImportCassette, s.importCassettes)
}

// PurgeView answers DELETE /api/v1/cache: the recording files deleted
// (none unless asked) and the counters after.
type PurgeView struct {
	DeletedFiles int            `json:"deleted_files"`
	Stats        cassette.Stats `json:"stats"`
}

// purge empties the body cache; ?recordings=true deletes the recording
// files as well.
func (s *Server) purge(w http.ResponseWriter, r *http.Request) {
	if s.Cassettes == nil {
		off(w, "the cassette cache")
		return
	}
	files := r.URL.Query().Get("recordings") == "true"
	deleted, err := s.Cassettes.Purge(files)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "purge: %v", err)
		return
	}
	s.Log.Info().Bool("recordings", files).Int("deleted", deleted).Msg("cassette cache purged through the admin API")
	writeJSON(w, http.StatusOK, PurgeView{DeletedFiles: deleted, Stats: s.Cassettes.Stats()})
}

// export streams every recording as one .tar.gz.
func (s *Server) export(w http.ResponseWriter, _ *http.Request) {
	if s.Cassettes == nil {
		off(w, "the cassette cache")
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="cassettes-%s.tar.gz"`, time.Now().UTC().Format("20060102T150405Z")))
	if _, err := s.Cassettes.Export(w); err != nil {
		// The status is gone with the first byte; cutting the archive
		// short is the signal left, and gzip's trailer catches it.
		s.Log.Error().Err(err).Msg("cassette export failed part-way")
		panic(http.ErrAbortHandler)
	}
}

// ImportView answers POST /api/v1/cache/import: the recordings added, those
// already there, and the counters after.
type ImportView struct {
	Added           int            `json:"added"`
	SkippedExisting int            `json:"skipped_existing"`
	Stats           cassette.Stats `json:"stats"`
}

// importCassettes unpacks an uploaded .tar.gz of recordings.
func (s *Server) importCassettes(w http.ResponseWriter, r *http.Request) {
	if s.Cassettes == nil {
		off(w, "the cassette cache")
		return
	}
	added, skipped, err := s.Cassettes.Import(http.MaxBytesReader(w, r.Body, maxImport))
	if err != nil {
		writeError(w, http.StatusBadRequest, "import: %v", err)
		return
	}
	s.Log.Info().Int("added", added).Int("skipped", skipped).Msg("cassettes imported through the admin API")
	writeJSON(w, http.StatusOK, ImportView{Added: added, SkippedExisting: skipped, Stats: s.Cassettes.Stats()})
}
