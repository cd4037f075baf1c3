package proxy

import (
	"context"
	"net/http"

	"github.com/llm-simulator/llm-simulator/faults"
	"github.com/llm-simulator/llm-simulator/internal/clock"
	"github.com/llm-simulator/llm-simulator/rules"
	"github.com/llm-simulator/llm-simulator/simulate"
	"github.com/llm-simulator/llm-simulator/wire"
)

// faultStream keeps the faults' draws apart from the simulator's streams.
const faultStream = 0x6661756c74 // "fault"

// dispatch takes a request from its rule to its answer: match, roll the
// faults' gates, admit (faults may wait or answer here), then run the
// source — the simulator, or the upstream for a forward — through the
// faults' stages, and account for the outcome however the response ends,
// an abort included.
func (f *Front) dispatch(ctx context.Context, x *exchange, sim *simulate.Simulator, ups *Upstreams) error {
	set := f.ruleSet()
	host := x.tgt.host
	if host == "" {
		host = rules.HostOnly(x.r.Host)
	}
	x.mreq = rules.Request{Provider: x.tgt.provider, Host: host, Path: x.req.Path,
		Method: x.req.Method, Header: x.req.Header, Body: x.req.Body}
	x.mreq.KnowMembers(x.members, x.memberRaws[:len(x.members)])
	x.mreq.PathModel, x.mreq.PathStream = x.tgt.pathModel()
	f.touchScope(x.mreq.Scope())
	var rule *rules.Rule
	action := "simulate"
	if set != nil {
		rule, action = set.Match(&x.mreq), set.DefaultAction
	}
	if rule != nil {
		action = rule.Action
		rule.CountMatch()
	}
	x.setAction(action)
	f.prepareFaults(x, sim, set, rule)
	x.head = headerStage{next: &x.out, fx: &x.fx, rule: [1]string{"default"}, debug: set == nil || set.DebugHeaders}
	if rule != nil {
		x.head.rule[0] = rule.Name
	}
	defer x.finish()
	var sink wire.Sink = &x.head
	for _, a := range x.admitters {
		if answered, err := a.Admit(ctx, &x.fx, sink); answered || err != nil {
			return err
		}
	}
	src := f.decideSource(x, rule, action)
	x.fx.Source = src.faultSource()
	for i := len(x.stages) - 1; i >= 0; i-- {
		sink = x.stages[i].Wrap(ctx, &x.fx, sink)
	}
	switch src {
	case fromUpstream:
		if x.cass.record {
			return f.forwardAndRecord(ctx, x, ups, sink)
		}
		return f.forward(ctx, x, ups, sink)
	case fromCassette:
		return f.replay(ctx, x, f.timingModel(x, sim, set, rule), sink)
	case refused:
		return wire.WriteError(sink, sim.Dialect(x.tgt.dialect), x.cass.why, x.req.RequestID)
	}
	return f.simulate(ctx, x, sim, set, rule, sink)
}

// simulate is the simulator source, behind the model's capacity limit.
func (f *Front) simulate(ctx context.Context, x *exchange, sim *simulate.Simulator, set *rules.Set, rule *rules.Rule, sink wire.Sink) error {
	f.prepareRequest(x, sim, set, rule)
	if sim.Limited() {
		release, answered, err := f.admitCapacity(ctx, x, sim, &x.head)
		if answered || err != nil {
			return err
		}
		defer release()
	}
	return sim.Serve(ctx, &x.req, sink)
}

// timingModel is the simulation model a replay with simulated timing
// draws from: the rule's own, else the one the config gives the model.
func (f *Front) timingModel(x *exchange, sim *simulate.Simulator, set *rules.Set, rule *rules.Rule) *simulate.Model {
	if x.cass.spec.Timing != "simulated" {
		return nil
	}
	if rule != nil {
		if m := f.ruleModel(set, sim, rule); m != nil {
			return m
		}
	}
	return sim.Resolve(x.mreq.Model())
}

// finish tells the faults how the response ended, so limiters release
// and count; deferred, it runs when a fault aborts the connection too.
func (x *exchange) finish() {
	x.fx.Finish(faults.Outcome{Status: x.out.Status(), Complete: x.out.Ended(),
		PromptTokens: x.req.Usage.PromptTokens, CompletionTokens: x.req.Usage.CompletionTokens})
}

// prepareFaults fills the faults' view of the request and rolls the
// gates of the rule's faults, then of the temporary faults that hold for
// the request (which apply whichever rule, if any, takes it), sorting the
// fired ones by where they act.
func (f *Front) prepareFaults(x *exchange, sim *simulate.Simulator, set *rules.Set, rule *rules.Rule) {
	x.pcg.Seed(x.req.Seed, faultStream)
	x.rng = *randNew(&x.pcg)
	x.req.RequestID = simulate.RequestID(x.req.Provider, x.req.Exchange)
	x.fx.Dialect, x.fx.Provider, x.fx.Method, x.fx.Path = sim.Dialect(x.req.Provider), x.tgt.provider, x.req.Method, x.req.Path
	x.fx.Header, x.fx.RequestID, x.fx.Rand, x.fx.Clock = x.req.Header, x.req.RequestID, &x.rng, f.clock()
	x.fx.Scope = x.mreq.Scope()
	if rule != nil {
		x.fx.Rule = rule.Name
		for _, in := range rule.Faults {
			x.roll(in, rule)
		}
	}
	for _, in := range set.Overlays().FaultsFor(&x.mreq) {
		x.roll(in, rule)
	}
}

// roll counts the request against a fault's gate and, if it fires, counts
// it on the rule (when one took the request) and files it as an admitter,
// a stage or both.
func (x *exchange) roll(in *faults.Instance, rule *rules.Rule) {
	if !in.Fires(&x.fx) {
		return
	}
	if rule != nil {
		rule.CountFault(in.Fault.Kind())
	}
	if _, ok := in.Fault.(*faults.RateLimit); ok && !x.countTokens {
		// Token limits admit on the prompt; only they pay to count it.
		x.fx.PromptTokens = simulate.EstimatePromptTokens(x.req.Provider, x.req.Path, x.req.Body)
		x.fx.Model, x.fx.Stream = x.mreq.Model(), x.mreq.Stream()
		x.countTokens = true
	}
	if a, ok := in.Fault.(faults.Admitter); ok {
		x.admitters = append(x.admitters, a)
	}
	if s, ok := in.Fault.(faults.Stage); ok {
		x.stages = append(x.stages, s)
	}
}

// prepareRequest gives the simulator what the rule and the faults decided.
func (f *Front) prepareRequest(x *exchange, sim *simulate.Simulator, set *rules.Set, rule *rules.Rule) {
	x.req.TTFT, x.req.ITL = x.fx.TTFT, x.fx.ITL
	if rule == nil {
		return
	}
	x.req.Model = f.ruleModel(set, sim, rule)
	if a := rule.Answer(x.fx.Scope); a != nil {
		x.req.Canned = canned(a)
	}
}

func (f *Front) ruleSet() *rules.Set {
	if f.Rules == nil {
		return nil
	}
	return f.Rules.Load()
}

func (f *Front) clock() clock.Clock {
	if f.Clock == nil {
		return clock.Real{}
	}
	return f.Clock
}

// canned turns a rule's scripted answer into the simulator's.
func canned(a *rules.Answer) *simulate.Canned {
	c := &simulate.Canned{Text: a.Text, FinishReason: a.FinishReason, StopReason: a.StopReason,
		PromptTokens: a.PromptTokens, OutputTokens: a.OutputTokens}
	for _, tc := range a.ToolCalls {
		c.ToolCalls = append(c.ToolCalls, simulate.CannedCall{Name: tc.Name, Arguments: string(tc.Arguments)})
	}
	return c
}

var _ http.Handler = (*Front)(nil)
