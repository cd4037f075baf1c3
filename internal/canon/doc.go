// Package canon identifies requests by what they mean rather than how they
// were serialised: two JSON bodies that differ only in key order, whitespace
// or string escapes hash alike. The simulator seeds each request's RNG from
// this hash, so an SDK that orders keys differently still gets the same
// answer.
//
// The scanner is written by hand because it runs on every request and must
// not allocate: encoding/json's token API allocates per token.
package canon
