// Package proxy is the front every request enters by, and the dispatcher
// that answers it.
//
//	request ─► Front.ServeHTTP
//	             route: which provider's dialect (prefix, headers, path)
//	             read the body (bounded; 413 in the provider's shape)
//	             identity: canonical hash + occurrence → the call's seed
//	           ─► source (today: the simulator) ─► wire.Writer ─► client
//
// For now the front serves base-URL requests (OPENAI_BASE_URL=
// http://127.0.0.1:8080/v1, ANTHROPIC_BASE_URL=http://127.0.0.1:8080) and
// hands them to the simulator. Forwarding, interception, rules and faults
// join this path in later steps without changing its shape.
package proxy
