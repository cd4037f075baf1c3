// Package proxy is the front every request enters by, and the dispatcher
// that answers it.
//
//	request ─► Front.ServeHTTP (base URL, absolute-form, or decrypted
//	           from a CONNECT to an intercepted host; other CONNECTs tunnel)
//	             route: provider and dialect (host, prefix, headers, path)
//	             read the body (bounded; 413 in the provider's shape)
//	             identity: canonical hash + occurrence → the call's seed
//	           ─► dispatch: the rule set's match (toggles applied), the
//	             rule's faults and the temporary ones rolled, admitters
//	             (which may answer), then the source:
//	               simulate   the simulator, behind the model's capacity
//	               forward    the provider's upstream, relayed event by event
//	               record     forward, tapped before the faults into a cassette
//	               replay     a cassette, paced; a miss as the rule says
//	             through the faults' stages ─► headers ─► wire.Writer ─► client
//	           ─► completion: fault accounting, then one telemetry record
//	             (journal, metrics, access line), aborts included
//
// Explain runs the routing and matching of that path without sending
// anything, for the admin API.
//
// A drain shuts each server down only once Conns says no connection can
// still bring it an HTTP/1 request, the interception server last
// (Interceptor.Drain) since CONNECTs feed it; EndStreams ends what still
// runs at the drain's deadline.
package proxy
