package ansible

import (
	"reflect"
	"testing"
)

// output is ansible-playbook -v --diff output as ansible-core 2.14 prints it.
const output = `Using /tmp/x/ansible.cfg as config file

PLAY [demo] ********************************************************************

TASK [service] *****************************************************************
--- before
+++ after
@@ -10,7 +10,7 @@
     "port": 9,
     "protocol": "http",
     "read_timeout": 60000,
-    "retries": 1,
+    "retries": 2,
     "tags": [
         "pb"
     ],

changed: [localhost] => {"changed": true, "changes": ["retries: 1 -> 2"]}

TASK [cert] ********************************************************************
--- before
+++ after
@@ -5,7 +5,7 @@
     "snis": [
         "a.test",
-        "b1.test"
+        "b2.test"
     ],
     "tags": [
@@ -20,3 +20,3 @@
         "minute": 5,
-        "second": 1
+        "second": 2
     },
ok: [localhost] => {"changed": false}

TASK [loop] ********************************************************************
skipping: [localhost] => (item=a)  => {"changed": false}

PLAY RECAP *********************************************************************
localhost                  : ok=2    changed=1    unreachable=0    failed=0    skipped=1    rescued=0    ignored=0   
target                     : ok=5    changed=3    unreachable=1    failed=2    skipped=0    rescued=0    ignored=0   
`

func TestParseReadsTheRecapOfEveryHost(t *testing.T) {
	r := Parse(output)
	want := map[string]Stats{
		"localhost": {OK: 2, Changed: 1, Skipped: 1},
		"target":    {OK: 5, Changed: 3, Unreachable: 1, Failed: 2},
	}
	if !reflect.DeepEqual(r.Recap, want) {
		t.Fatalf("recap = %v", r.Recap)
	}
}

func TestParseSplitsTasksWithTheirStatusAndResult(t *testing.T) {
	r := Parse(output)
	if len(r.Tasks) != 3 {
		t.Fatalf("%d tasks", len(r.Tasks))
	}
	svc := r.Tasks[0]
	if svc.Name != "service" || svc.Status != "changed" || svc.Result["changes"].([]any)[0] != "retries: 1 -> 2" {
		t.Fatalf("task = %+v", svc)
	}
	if r.Tasks[2].Status != "skipping" || r.Tasks[2].Result != nil {
		t.Fatalf("a loop item line has no single result: %+v", r.Tasks[2])
	}
}

func TestDiffFieldsNameTheKeyOfEachChangedLine(t *testing.T) {
	r := Parse(output)
	if got := r.Tasks[0].DiffFields(); !reflect.DeepEqual(got, map[string]bool{"retries": true}) {
		t.Errorf("service diff fields = %v", got)
	}
	// An array element belongs to the key holding the array; a nested key
	// whose parent is outside the hunk is named by itself.
	if got := r.Tasks[1].DiffFields(); !reflect.DeepEqual(got, map[string]bool{"snis": true, "second": true}) {
		t.Errorf("cert diff fields = %v", got)
	}
	if got := r.Tasks[0].DiffLines(); len(got) != 2 {
		t.Errorf("diff lines = %q", got)
	}
}
