package instatus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// The wire types hold only the fields support_exporter uses; the documents
// carry more (names, urls, descriptions), which are ignored except where
// noted.

// summary is what /summary.json holds.
type summary struct {
	Incidents    []wireIncident
	Maintenances []wireMaintenance
}

// wireIncident is an element of activeIncidents.
type wireIncident struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"` // https://PAGE/incident/ID: the id when `id` is missing
	Started   instant `json:"started"`
	Status    string  `json:"status"` // INVESTIGATING, IDENTIFIED, MONITORING, RESOLVED
	Impact    string  `json:"impact"` // a component state
	UpdatedAt instant `json:"updatedAt"`
}

// wireMaintenance is an element of activeMaintenances.
type wireMaintenance struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	URL       string  `json:"url"` // https://PAGE/maintenance/ID
	Start     instant `json:"start"`
	Duration  minutes `json:"duration"`
	Status    string  `json:"status"` // NOTSTARTEDYET, INPROGRESS, COMPLETED
	UpdatedAt instant `json:"updatedAt"`
}

// decodeSummary parses /summary.json. The page object is required: it is
// what tells the summary from another document. The arrays are left out
// when empty.
func decodeSummary(body []byte) (summary, error) {
	var doc struct {
		Page         *json.RawMessage  `json:"page"`
		Incidents    []wireIncident    `json:"activeIncidents"`
		Maintenances []wireMaintenance `json:"activeMaintenances"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return summary{}, err
	}
	if doc.Page == nil || !bytes.HasPrefix(bytes.TrimSpace(*doc.Page), []byte("{")) {
		return summary{}, errors.New(`no "page" object`)
	}
	for i := range doc.Incidents {
		it := &doc.Incidents[i]
		if it.ID = itemID(it.ID, it.URL); it.ID == "" {
			return summary{}, fmt.Errorf("activeIncidents: incident %d has no id, nor a url ending in one", i)
		}
	}
	for i := range doc.Maintenances {
		m := &doc.Maintenances[i]
		if m.ID = itemID(m.ID, m.URL); m.ID == "" {
			return summary{}, fmt.Errorf("activeMaintenances: maintenance %d has no id, nor a url ending in one", i)
		}
		if m.Start.IsZero() {
			return summary{}, fmt.Errorf("activeMaintenances: maintenance %s has no start", m.ID)
		}
	}
	return summary{Incidents: doc.Incidents, Maintenances: doc.Maintenances}, nil
}

// itemID is an item's id, or the last path segment of its url, as the
// documentation's example gives no id (".../incident/cl4a8n3070721qtmzvts760c4").
func itemID(id, rawURL string) string {
	if id != "" || rawURL == "" {
		return id
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	if last := path.Base(strings.TrimSuffix(u.Path, "/")); last != "." && last != "/" {
		return last
	}
	return ""
}

// wireComponent is an element of /v2/components.json's `components`.
type wireComponent struct {
	ID     string     `json:"id"`
	Name   string     `json:"name"`
	Status string     `json:"status"`
	Group  *wireGroup `json:"group"` // null when top-level
	// ActiveIncidents, on pages that send them, are the active incidents
	// affecting the component.
	ActiveIncidents []wireRef `json:"activeIncidents"`
}

// wireRef names another item by its id.
type wireRef struct {
	ID string `json:"id"`
}

// wireGroup is a component's group: an object with the group's id and
// usually its name; a bare id string is read too.
type wireGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (g *wireGroup) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		return json.Unmarshal(b, &g.ID)
	}
	type plain wireGroup // without this method
	return json.Unmarshal(b, (*plain)(g))
}

// decodeComponents parses /v2/components.json; its components array is
// required, or the page would seem to have lost every component.
func decodeComponents(body []byte) ([]wireComponent, error) {
	var doc struct {
		Components *[]wireComponent `json:"components"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, err
	}
	if doc.Components == nil {
		return nil, errors.New(`no "components" array`)
	}
	for i, c := range *doc.Components {
		if c.ID == "" {
			return nil, fmt.Errorf("component %d has no id", i)
		}
	}
	return *doc.Components, nil
}

// instant is a timestamp as Instatus writes it: RFC 3339
// ("2020-09-12T19:05:17.398Z"), or a JavaScript date string as in the
// public-data documentation ("Sat Jun 11 2022 18:55:50 GMT+0000
// (Coordinated Universal Time)"), or null. It holds the instant in UTC.
type instant struct{ time.Time }

// jsDateLayout is JavaScript's Date.prototype.toString without the zone
// name in parentheses.
const jsDateLayout = "Mon Jan 02 2006 15:04:05 GMT-0700"

func (t *instant) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	if s == nil || *s == "" {
		t.Time = time.Time{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		js, _, _ := strings.Cut(*s, " (")
		if v, err = time.Parse(jsDateLayout, js); err != nil {
			return fmt.Errorf("timestamp %q: neither RFC 3339 nor a JavaScript date", *s)
		}
	}
	t.Time = v.UTC()
	return nil
}

// minutes is a maintenance's duration, a number of minutes written as a
// string ("60") in the documentation and as a number by some pages.
type minutes struct{ time.Duration }

func (m *minutes) UnmarshalJSON(b []byte) error {
	raw := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if raw == "" || raw == "null" {
		m.Duration = 0
		return nil
	}
	n, err := strconv.ParseFloat(raw, 64)
	// The bound (a century) keeps the conversion below from overflowing;
	// written this way round, it refuses NaN too.
	if err != nil || !(n >= 0 && n <= 100*366*24*60) {
		return fmt.Errorf("duration %s: want a number of minutes", b)
	}
	m.Duration = time.Duration(n * float64(time.Minute))
	return nil
}
