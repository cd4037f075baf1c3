package simulate

import "math/rand/v2"

// The independent random streams of one call. Content never shares a
// stream with timing, so drawing inter-token gaps for a stream cannot
// change the words, and a stream and a non-stream call agree.
const (
	streamContent uint64 = iota + 1
	streamTiming
	streamIDs
	streamRequestID
)

// streamMix spreads the small stream numbers over PCG's second seed.
const streamMix = 0x9e3779b97f4a7c15

func newRNG(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream*streamMix))
}

// Seed combines the config seed, a request's canonical hash and its
// occurrence number (1 for the first time that request is seen) into the
// seed of its RNG. The proxy computes it; tests call it to reproduce one.
func Seed(configSeed, requestHash, occurrence uint64) uint64 {
	return mix(mix(configSeed^0x2545f4914f6cdd1d) ^ mix(requestHash) ^ mix(occurrence+0x632be59bd9b4e019))
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ (x >> 31)
}
