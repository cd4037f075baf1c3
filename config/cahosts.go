package config

import (
	"maps"
	"net"
	"slices"
	"strings"
)

// The interception CA's name constraints (proxy/mitm) permit the hosts a
// new CA is made for and no others, so that its key cannot impersonate
// any other site to a client that trusts it. This file is the one list of
// the hosts that are built in: the providers' own (knownProviders), the
// named OpenAI-compatible hosts' (providerPresets), and the regional hosts
// of Amazon Bedrock and Google Vertex AI — providers still to come, listed
// now so that a CA made today need not be rotated when they arrive. Each
// entry is one API host, or for Azure one resource domain: never a whole
// parent domain such as amazonaws.com, googleapis.com or azure.com, which
// would take in the OAuth, STS and metadata endpoints an app also calls.

// awsRegions are the regions of AWS's commercial partition, whose hosts
// end in amazonaws.com (Bedrock's OpenAI-compatible bedrock-mantle in
// api.aws). GovCloud, China and the sovereign partitions are left out.
var awsRegions = []string{
	"af-south-1",
	"ap-east-1", "ap-east-2",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
	"ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
	"ca-central-1", "ca-west-1",
	"eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
	"eu-west-1", "eu-west-2", "eu-west-3",
	"il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// awsFIPSRegions are the commercial regions with FIPS endpoints
// (bedrock-runtime-fips.<region>.amazonaws.com): the US and Canada ones.
var awsFIPSRegions = []string{"ca-central-1", "ca-west-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"}

// googleCloudRegions are Google Cloud's regions; Vertex AI answers at
// <region>-aiplatform.googleapis.com in each one it serves.
var googleCloudRegions = []string{
	"africa-south1",
	"asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
	"asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "asia-southeast3",
	"australia-southeast1", "australia-southeast2",
	"europe-central2", "europe-north1", "europe-north2", "europe-southwest1",
	"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
	"europe-west8", "europe-west9", "europe-west10", "europe-west12",
	"me-central1", "me-central2", "me-west1",
	"northamerica-northeast1", "northamerica-northeast2", "northamerica-south1",
	"southamerica-east1", "southamerica-west1",
	"us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
	"us-west1", "us-west2", "us-west3", "us-west4",
}

// BuiltinCAHosts are the host globs every new interception CA covers,
// whatever the config says: the real API hosts of the built-in providers
// and of the named OpenAI-compatible ones (but Ollama's, which is this
// machine), and those of Bedrock (bedrock-runtime, bedrock and
// bedrock-mantle in every commercial region, and the FIPS endpoints) and
// Vertex AI (aiplatform.googleapis.com and each region's). The slice is
// the caller's.
func BuiltinCAHosts() []string {
	var hosts []string
	for _, name := range slices.Sorted(maps.Keys(knownProviders)) {
		hosts = append(hosts, knownProviders[name]...)
	}
	for _, name := range slices.Sorted(maps.Keys(providerPresets)) {
		for _, h := range realHosts(name) {
			if interceptable(h) {
				hosts = append(hosts, h)
			}
		}
	}
	for _, r := range awsRegions {
		hosts = append(hosts, "bedrock-runtime."+r+".amazonaws.com", "bedrock."+r+".amazonaws.com", "bedrock-mantle."+r+".api.aws")
	}
	for _, r := range awsFIPSRegions {
		hosts = append(hosts, "bedrock-runtime-fips."+r+".amazonaws.com", "bedrock-fips."+r+".amazonaws.com")
	}
	hosts = append(hosts, "aiplatform.googleapis.com")
	for _, r := range googleCloudRegions {
		hosts = append(hosts, r+"-aiplatform.googleapis.com")
	}
	return hosts
}

// CAHosts are the host globs a CA made now for this config covers:
// BuiltinCAHosts, then intercept.hosts and every provider's hosts, so a
// host the config names for a provider can be intercepted later without a
// new CA. Loopback hosts and IP addresses are left out: neither is ever
// intercepted.
func (c *Config) CAHosts() []string {
	hosts := BuiltinCAHosts()
	add := func(h string) {
		if interceptable(h) && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	if c.Intercept.Hosts != nil {
		for _, h := range *c.Intercept.Hosts {
			add(h)
		}
	}
	for _, name := range c.ProviderNames() {
		for _, h := range c.Providers[name].Hosts {
			add(h)
		}
	}
	return hosts
}

// interceptable reports whether a host glob could ever be intercepted: a
// name of another machine. An IP address never is (the CA's constraints
// exclude every one), nor is a loopback host (clients reach it directly).
func interceptable(h string) bool {
	return !loopbackHost(h) && !ipHost(h)
}

// ipHost reports a host that is an IP address, with or without brackets.
func ipHost(h string) bool {
	return net.ParseIP(strings.Trim(h, "[]")) != nil
}
