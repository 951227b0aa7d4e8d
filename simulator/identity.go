package simulator

import "encoding/hex"

// identity is a vendor's fixed names and numbers: its status page, its
// components, its agents and its API token.
type identity struct {
	token      string // Zendesk API token
	pageID     string
	components []component
	agents     []int64 // Zendesk user ids of the support agents
	groupID    int64
	brandID    int64
	formID     int64
	orgIDs     []int64
	statusIDs  [numZStatus]int64 // the default custom status of each status category
}

// component is one status-page component; group containers list their
// children, and children name their group.
type component struct {
	id, name, description string
	position              int
	group                 bool
	groupIndex            int // index of the group container; -1 when top-level
	children              []int
	createdAt             int64
}

// componentCatalog is every vendor's status-page layout: four services and a
// group of three regions, as real pages group their regions.
var componentCatalog = []struct {
	name, description string
	group             bool
	parent            int
}{
	{"API", "REST and streaming API endpoints", false, -1},
	{"Dashboard", "Web console for customers", false, -1},
	{"Webhooks", "Outgoing event delivery", false, -1},
	{"Authentication", "Sign-in, SSO and API tokens", false, -1},
	{"Regions", "Data-plane regions", true, -1},
	{"US East", "", false, 4},
	{"EU West", "", false, 4},
	{"Asia Pacific", "", false, 4},
}

func newIdentity(seed uint64) identity {
	r := itemRand(seed, streamIdentity, 0)
	token := make([]byte, 20)
	for i := range token {
		token[i] = byte(r.UintN(256))
	}
	id := identity{
		token:   hex.EncodeToString(token),
		pageID:  statuspageID(r),
		groupID: 360000000000 + r.Int64N(1e9),
		brandID: 360000000000 + r.Int64N(1e9),
		formID:  360000000000 + r.Int64N(1e9),
	}
	for range 6 {
		id.agents = append(id.agents, 370000000000+r.Int64N(1e9))
	}
	for range 40 {
		id.orgIDs = append(id.orgIDs, 360300000000+r.Int64N(1e9))
	}
	for s := range id.statusIDs {
		id.statusIDs[s] = 6130830000000 + r.Int64N(1e6)
	}
	created := int64(1483228800) + r.Int64N(5*365*86400) // some time in 2017-2021
	for i, c := range componentCatalog {
		id.components = append(id.components, component{
			id: statuspageID(r), name: c.name, description: c.description, position: i + 1,
			group: c.group, groupIndex: c.parent, createdAt: created + int64(i)*3600,
		})
		if c.parent >= 0 {
			id.components[c.parent].children = append(id.components[c.parent].children, i)
		}
	}
	return id
}
