package egress

import (
	"net/netip"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want Class
	}{
		{"127.0.0.1", Loopback},
		{"127.255.0.9", Loopback},
		{"::1", Loopback},
		{"::ffff:127.0.0.1", Loopback},
		{"::ffff:7f00:1", Loopback},
		{"::127.0.0.1", Loopback}, // IPv4-compatible
		{"64:ff9b::7f00:1", Loopback},
		{"2002:7f00:1::", Loopback}, // 6to4 of 127.0.0.1
		{"0.0.0.0", Unspecified},
		{"::", Unspecified},
		{"0.1.2.3", Unspecified},
		{"169.254.169.254", LinkLocal}, // cloud metadata
		{"fd00:ec2::254", UniqueLocal}, // EC2's IPv6 metadata
		{"fe80::1", LinkLocal},
		{"fe80::1%eth0", LinkLocal},
		{"10.1.2.3", Private},
		{"172.16.0.1", Private},
		{"172.31.255.255", Private},
		{"192.168.1.1", Private},
		{"::ffff:10.0.0.1", Private},
		{"64:ff9b::a00:1", Private},
		{"100.64.0.1", SharedCGNAT},
		{"224.0.0.1", LinkLocal},
		{"239.1.2.3", Multicast},
		{"ff02::1", LinkLocal},
		{"ff0e::1", Multicast},
		{"255.255.255.255", Reserved},
		{"198.18.0.1", Reserved},
		{"2001:db8::1", Documentation},
		{"2001::1", Reserved}, // Teredo
		{"fec0::1", Private},
		{"8.8.8.8", Public},
		{"172.32.0.1", Public},
		{"2606:4700::1111", Public},
		{"::ffff:8.8.8.8", Public},
		{"64:ff9b::808:808", Public},
		{"2002:808:808::", Public},
	} {
		t.Run(tc.ip, func(t *testing.T) {
			if got := Classify(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Errorf("Classify(%s) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
}
