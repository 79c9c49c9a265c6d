package mapr

import (
	"strings"
	"testing"
)

func TestLicenseSpecValidation(t *testing.T) {
	ok := []LicenseSpec{
		{Content: "x"},
		{Path: "/l.txt", State: StatePresent},
		{ID: "abc=", State: StateAbsent},
		{Content: "x", State: StateAbsent, UploadDir: "/var/tmp"},
	}
	for _, s := range ok {
		if err := s.Validate(); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
	bad := map[string]LicenseSpec{
		"nothing to install":     {},
		"blank content":          {Content: " \n"},
		"path and content":       {Path: "/a", Content: "x"},
		"id with present":        {Content: "x", ID: "abc"},
		"absent without a key":   {State: StateAbsent},
		"unknown state":          {Content: "x", State: "latest"},
		"relative upload dir":    {Content: "x", UploadDir: "tmp"},
		"missing local file":     {Path: "/nonexistent/license.txt"},
		"empty state is present": {ID: "x"},
	}
	for name, s := range bad {
		err := s.Validate()
		if err == nil && name == "missing local file" {
			_, err = s.text()
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLicenseHashIgnoresWhitespaceOnly(t *testing.T) {
	a := "-----BEGIN SIGNED MESSAGE-----\nclusterid: \"1\"\n"
	if LicenseHash(a) != LicenseHash(strings.ReplaceAll(a, "\n", "\r\n  ")) {
		t.Error("line ends and indentation changed the identity")
	}
	if LicenseHash(a) == LicenseHash(strings.Replace(a, "1", "2", 1)) {
		t.Error("different content, same identity")
	}
}

func TestClusterSpecValidation(t *testing.T) {
	good := ClusterSpec{Name: "my.cluster.com", CLDBNodes: []string{"n1", "n2:7222", "n3;10.0.0.3:7222"}, ZKNodes: []string{"z1:5181"}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(*ClusterSpec){
		"empty name":             func(s *ClusterSpec) { s.Name = "" },
		"name with space":        func(s *ClusterSpec) { s.Name = "my cluster" },
		"name like an option":    func(s *ClusterSpec) { s.Name = "-R" },
		"no CLDB":                func(s *ClusterSpec) { s.CLDBNodes = nil },
		"no ZooKeeper":           func(s *ClusterSpec) { s.ZKNodes = nil },
		"node with comma":        func(s *ClusterSpec) { s.CLDBNodes = []string{"a,b"} },
		"node with shell":        func(s *ClusterSpec) { s.ZKNodes = []string{"$(id)"} },
		"genkeys without secure": func(s *ClusterSpec) { s.GenKeys = true },
		"extra -N":               func(s *ClusterSpec) { s.ExtraArgs = []string{"-N", "x"} },
		"relative conf dir":      func(s *ClusterSpec) { s.ConfDir = "conf" },
		"relative configure.sh":  func(s *ClusterSpec) { s.ConfigureSh = "configure.sh" },
	} {
		s := good
		mutate(&s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestConfigureArgsAreExplicitAboutSecurity(t *testing.T) {
	s := ClusterSpec{Name: "c", CLDBNodes: []string{"a", "b"}, ZKNodes: []string{"z"}, NoAutostart: true, Reconfigure: true,
		ExtraArgs: []string{"-u", "mapr"}}
	if got := strings.Join(s.configureArgs(), " "); got != "-N c -C a,b -Z z -unsecure -no-autostart -R -u mapr" {
		t.Errorf("insecure: %s", got)
	}
	s = ClusterSpec{Name: "c", CLDBNodes: []string{"a"}, ZKNodes: []string{"z"}, Secure: true, GenKeys: true}
	if got := strings.Join(s.configureArgs(), " "); got != "-N c -C a -Z z -secure -genkeys" {
		t.Errorf("secure: %s", got)
	}
}

func TestParseClustersConfReadsTheFirstClusterLine(t *testing.T) {
	st, err := ParseClustersConf("# comment\n\ncyber.mapr.cluster secure=true kerberosEnable=true node4.cluster.com:7222 n5;10.1.1.5:7222 n6\nother secure=false x:7222\n")
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "cyber.mapr.cluster" || !st.Secure ||
		strings.Join(st.CLDBNodes, " ") != "node4.cluster.com:7222 n5;10.1.1.5:7222 n6:7222" {
		t.Fatalf("%+v", st)
	}
	if _, err := ParseClustersConf("# only comments\n"); err == nil {
		t.Error("a file without a cluster line parsed")
	}
}

func TestWithPortsAddsDefaultsOnlyWhereMissing(t *testing.T) {
	got := withPorts([]string{"a", "b:1", "c;10.0.0.1", "d;10.0.0.1:2", "[::1]", "[::1]:3"}, "7222")
	want := "a:7222 b:1 c;10.0.0.1:7222 d;10.0.0.1:2 [::1]:7222 [::1]:3"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s", strings.Join(got, " "))
	}
}

func TestClusterDiffComparesCLDBAsASetAndZooKeeperInOrder(t *testing.T) {
	cur := ClusterState{Name: "c", CLDBNodes: []string{"a:7222", "b:7222"}, ZKNodes: []string{"z1:5181", "z2:5181"}}
	same := ClusterState{Name: "c", CLDBNodes: []string{"b:7222", "a:7222"}, ZKNodes: []string{"z1:5181", "z2:5181"}}
	if d := clusterDiff(cur, same); len(d) != 0 {
		t.Errorf("reordered CLDB nodes reported: %v", d)
	}
	swapped := same
	swapped.ZKNodes = []string{"z2:5181", "z1:5181"}
	if d := clusterDiff(cur, swapped); len(d) != 1 || !strings.Contains(d[0], "order matters") {
		t.Errorf("reordered ZooKeeper nodes: %v", d)
	}
	unknownZK := cur
	unknownZK.ZKNodes = nil
	if d := clusterDiff(unknownZK, swapped); len(d) != 0 {
		t.Errorf("ZooKeeper compared although warden.conf had none: %v", d)
	}
}

func TestWardenZKReadsZookeeperServers(t *testing.T) {
	got := wardenZK("isDB=true\n zookeeper.servers = z1:5181, z2:5181 \nother=1\n")
	if strings.Join(got, ",") != "z1:5181,z2:5181" {
		t.Errorf("%q", got)
	}
}
