package faults

// Instance is a fault as a rule holds it: the fault, its gate, and the
// identity its state is kept under.
type Instance struct {
	Fault Fault
	Gate  Gate
	// ID identifies the fault across reloads: its rule's name, its place
	// in the rule and a digest of its config. Two instances with the same
	// ID share state.
	ID    string
	store *Store
}

// NewInstance binds a fault and its gate to the store its state lives in.
// A fault that keeps state is bound as a copy, its Fault: f itself, as
// the config decoded it, stays a value any number of instances can share.
func NewInstance(f Fault, g Gate, id string, store *Store) *Instance {
	in := &Instance{Fault: f, Gate: g, ID: id, store: store}
	if s, ok := f.(stateful); ok {
		in.Fault = s.boundTo(in)
	}
	return in
}

// stateful faults keep state per scope (limiters); they reach it through
// the instance that holds them, in a copy of themselves bound to it.
type stateful interface {
	Fault
	boundTo(in *Instance) Fault
}

// Fires counts the request against the gate and says whether the fault
// fires for it, noting it on the exchange when it does.
func (in *Instance) Fires(x *Exchange) bool {
	c := in.store.get(stateKey{fault: in.ID, scope: x.Scope, part: gatePart}, func() any { return new(counter) }).(*counter)
	if !in.Gate.fires(c, x.Rand.Float64) {
		return false
	}
	x.Fired = append(x.Fired, in.Fault.Kind())
	return true
}

// gatePart is the sub-key of a gate's counter, a name no fault's own
// state can take.
const gatePart = "\x00gate"

// State returns this fault's state for the request's scope and a
// sub-key, creating it with create on first use: limiters keep windows
// here.
func (in *Instance) State(x *Exchange, part string, create func() any) any {
	return in.store.get(stateKey{fault: in.ID, scope: x.Scope, part: part}, create)
}

// ProviderState is State kept apart per provider as well: a rate limit's
// buckets, since each provider has a quota of its own — a rule that
// takes OpenAI's and Anthropic's requests limits each by itself.
func (in *Instance) ProviderState(x *Exchange, part string, create func() any) any {
	return in.store.get(stateKey{fault: in.ID, scope: x.Scope, provider: x.Provider, part: part}, create)
}
