package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llm-simulator/llm-simulator/config"
	"github.com/llm-simulator/llm-simulator/faults"
)

// Overlays are the runtime changes the admin API makes on top of the rule
// set in force: toggles, which turn rules on or off by name, and
// temporary faults, which add faults to the requests they match —
// whichever rule takes them, or none — until they expire. They never
// take a request away from a rule. Both survive reloads (they are kept
// apart from any set) and restarts and upgrades (through the state file).
// Overlays are safe for concurrent use.
type Overlays struct {
	store *faults.Store
	now   func() time.Time
	file  string // "": memory only

	// list is the temporary faults, replaced whole on each change, so that
	// the data plane reads it with one atomic load and no lock.
	list atomic.Pointer[[]*tempFault]

	mu       sync.Mutex // guards toggles, watchers, saveErr and changes to list; serializes saves
	toggles  map[string]bool
	watchers []func()
	saveErr  error
}

// tempFault is a temporary fault in force: its description, its compiled
// match and its faults bound to the store.
type tempFault struct {
	TempFault
	match     matcher
	instances []*faults.Instance
}

// overlayPrefix starts every temporary fault's state identity, "overlay
// f-1a2b3c/<n>/<digest>", which is also its owner's name in the store's
// reports.
const overlayPrefix = "overlay "

// NewOverlays returns empty overlays whose temporary faults keep their
// state in store (per scope, as rules' faults do) and whose time is now
// (nil: time.Now). stateFile is where every change is saved; "" keeps
// them in memory only. Call Load to pick up a saved state.
func NewOverlays(store *faults.Store, now func() time.Time, stateFile string) *Overlays {
	if now == nil {
		now = time.Now
	}
	store.Own(overlayPrefix)
	o := &Overlays{store: store, now: now, file: stateFile, toggles: map[string]bool{}}
	o.list.Store(new([]*tempFault))
	return o
}

// SetEnabled turns rule on or off whatever the config says, until Untoggle
// or Reset; a rule the set does not have is toggled all the same, for the
// next set that has it. The toggle is in force whether or not saving it
// succeeds; the error says it will not survive a restart.
func (o *Overlays) SetEnabled(rule string, enabled bool) error {
	o.mu.Lock()
	o.toggles[rule] = enabled
	err := o.saveLocked()
	o.mu.Unlock()
	o.notify()
	return err
}

// Untoggle gives rule back to the config's enabled flag; false when it
// was not toggled.
func (o *Overlays) Untoggle(rule string) (bool, error) {
	o.mu.Lock()
	_, ok := o.toggles[rule]
	delete(o.toggles, rule)
	var err error
	if ok {
		err = o.saveLocked()
	}
	o.mu.Unlock()
	if ok {
		o.notify()
	}
	return ok, err
}

// Toggles returns a copy of the toggles: rule name to enabled.
func (o *Overlays) Toggles() map[string]bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]bool, len(o.toggles))
	for k, v := range o.toggles {
		out[k] = v
	}
	return out
}

// AddFault puts a temporary fault, made by ParseFault, in force for its
// TTL and returns it with its new id. It is in force whether or not
// saving it succeeds; the error says it will not survive a restart.
func (o *Overlays) AddFault(spec TempFaultSpec) (TempFault, error) {
	if spec.Specs == nil {
		return TempFault{}, errors.New("overlays: a temporary fault is made by ParseFault")
	}
	if spec.TTL <= 0 || spec.TTL > config.MaxTTL {
		return TempFault{}, fmt.Errorf("overlays: ttl %v is not within (0, %v]", spec.TTL, config.MaxTTL)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	tf, err := o.bind(spec, o.newID(), now.Add(spec.TTL))
	if err != nil {
		return TempFault{}, err
	}
	o.publishLocked(append(o.unexpiredLocked(now), tf))
	out := tf.TempFault
	out.Left = spec.TTL
	return out, o.saveLocked()
}

// bind binds spec's faults to the store as the temporary fault id: a
// spec added twice is two faults, each with its own state.
func (o *Overlays) bind(spec TempFaultSpec, id string, expires time.Time) (*tempFault, error) {
	tf := &tempFault{match: spec.match, TempFault: TempFault{ID: id, Match: spec.Match,
		Faults: spec.Faults, Scope: spec.Scope, Expires: expires}}
	for n := range spec.Specs {
		f, gate, err := spec.Specs[n].Check()
		if err != nil {
			return nil, fmt.Errorf("overlays: %w", err)
		}
		fid := fmt.Sprintf("%s%s/%d/%x", overlayPrefix, id, n, spec.Specs[n].Digest)
		tf.instances = append(tf.instances, faults.NewInstance(f, gate, fid, o.store))
	}
	return tf, nil
}

// newID is a short id no fault in force has. o.mu held.
func (o *Overlays) newID() string {
	for {
		id := fmt.Sprintf("f-%06x", rand.Uint32()&0xffffff)
		if o.find(id) < 0 {
			return id
		}
	}
}

func (o *Overlays) find(id string) int {
	for i, tf := range o.inForce() {
		if tf.ID == id {
			return i
		}
	}
	return -1
}

// Faults lists the temporary faults in force, oldest first, with the
// time each has left.
func (o *Overlays) Faults() []TempFault {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.now()
	live := o.unexpiredLocked(now)
	o.publishLocked(live)
	out := make([]TempFault, len(live))
	for i, tf := range live {
		out[i] = tf.TempFault
		out[i].Left = tf.Expires.Sub(now)
	}
	return out
}

// RemoveFault ends the temporary fault id before its time and forgets
// its state; false when there is no such fault. A failure to save is
// kept for Err.
func (o *Overlays) RemoveFault(id string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	i := o.find(id)
	if i < 0 {
		return false
	}
	l := o.inForce()
	o.publishLocked(append(l[:i:i], l[i+1:]...))
	o.dropState(func(tf string) bool { return tf == id })
	_ = o.saveLocked()
	return true
}

// Reset drops overlays. all drops every toggle and every temporary fault;
// otherwise the temporary faults limited to scope go ("" limits none: the
// faults without a scope hold for every request, and stay). The state of
// the faults it drops goes with them; the rules' faults' state is the
// store's to reset (Store.ResetScope).
func (o *Overlays) Reset(scope string, all bool) error {
	o.mu.Lock()
	var keep []*tempFault
	for _, tf := range o.inForce() {
		if !all && (scope == "" || tf.Scope != scope) {
			keep = append(keep, tf)
		}
	}
	gone := len(o.inForce()) - len(keep)
	o.publishLocked(keep)
	o.dropState(func(id string) bool { return all || o.find(id) < 0 })
	toggled := all && len(o.toggles) > 0
	if all {
		clear(o.toggles)
	}
	var err error
	if gone > 0 || toggled {
		err = o.saveLocked()
	}
	o.mu.Unlock()
	if toggled {
		o.notify()
	}
	return err
}

// Err is the last failure to save the state file, nil once a save
// succeeds: changes made since are in force but would not survive a
// restart.
func (o *Overlays) Err() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.saveErr
}

// unexpiredLocked is the list without the faults expired at now, whose
// state it forgets. o.mu held.
func (o *Overlays) unexpiredLocked(now time.Time) []*tempFault {
	l := o.inForce()
	live := make([]*tempFault, 0, len(l)+1)
	for _, tf := range l {
		if now.Before(tf.Expires) {
			live = append(live, tf)
		}
	}
	if len(live) < len(l) {
		ids := map[string]bool{}
		for _, tf := range live {
			ids[tf.ID] = true
		}
		o.dropState(func(id string) bool { return !ids[id] })
	}
	return live
}

// publishLocked puts l in force for the data plane. o.mu held.
func (o *Overlays) publishLocked(l []*tempFault) { o.list.Store(&l) }

// dropState forgets the state of the temporary faults whose id drop
// accepts.
func (o *Overlays) dropState(drop func(id string) bool) {
	o.store.Drop(func(fault string) bool {
		rest, ok := strings.CutPrefix(fault, overlayPrefix)
		if !ok {
			return false
		}
		id, _, _ := strings.Cut(rest, "/")
		return drop(id)
	})
}

// watch calls f after every change of the toggles.
func (o *Overlays) watch(f func()) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.watchers = append(o.watchers, f)
}

// notify tells the watchers the toggles changed; outside o.mu, since they
// read the toggles back.
func (o *Overlays) notify() {
	o.mu.Lock()
	ws := append([]func(){}, o.watchers...)
	o.mu.Unlock()
	for _, f := range ws {
		f()
	}
}

// FaultsFor returns the instances of the temporary faults in force for r:
// unexpired at this very call and matching r. With no temporary fault it
// costs one atomic load: no lock, no allocation.
func (o *Overlays) FaultsFor(r *Request) []*faults.Instance {
	l := o.inForce()
	if len(l) == 0 {
		return nil
	}
	var out []*faults.Instance
	for _, tf := range o.matching(r, l) {
		out = append(out, tf.instances...)
	}
	return out
}

// inForce is the list of temporary faults, some perhaps expired; none
// for nil or zero Overlays.
func (o *Overlays) inForce() []*tempFault {
	if o == nil {
		return nil
	}
	if p := o.list.Load(); p != nil {
		return *p
	}
	return nil
}

// matching is the faults of l in force for r now.
func (o *Overlays) matching(r *Request, l []*tempFault) []*tempFault {
	now := o.now()
	var out []*tempFault
	for _, tf := range l {
		if now.Before(tf.Expires) && tf.match.holds(r) {
			out = append(out, tf)
		}
	}
	return out
}

// TempFault is a temporary fault as the admin API shows it.
type TempFault struct {
	// ID names it: "f-" and six hex digits.
	ID string `json:"id"`
	// Match is the requests it holds for, scope included.
	Match config.MatchSpec `json:"match"`
	// Faults are its faults as given, as JSON.
	Faults json.RawMessage `json:"faults"`
	// Scope limits it to the requests of one scope; "" holds for all.
	Scope string `json:"scope,omitempty"`
	// Expires is when it ends.
	Expires time.Time `json:"expires"`
	// Left is the time it has left when listed, shown as ttl_left ("1.5s").
	Left time.Duration `json:"-"`
}

// MarshalJSON writes Left as ttl_left, a duration string.
func (t TempFault) MarshalJSON() ([]byte, error) {
	type plain TempFault // without this method
	return json.Marshal(struct {
		plain
		TTLLeft string `json:"ttl_left"`
	}{plain(t), t.Left.String()})
}
