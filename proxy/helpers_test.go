package proxy

import "github.com/llm-simulator/llm-simulator/simulate"

func newTestFront() *Front {
	return &Front{Sim: simulate.New(simulate.Config{Default: simulate.InstantModel()}), Seed: 42}
}
