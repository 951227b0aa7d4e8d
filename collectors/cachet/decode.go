package cachet

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// pagination is the `meta.pagination` object of every list endpoint. Its
// links (next_page, previous_page) are not followed: Cachet builds them from
// its own APP_URL, which often differs from the address it is reached at.
type pagination struct {
	Total       count `json:"total"`
	Count       count `json:"count"`
	PerPage     count `json:"per_page"`
	CurrentPage count `json:"current_page"`
	TotalPages  count `json:"total_pages"`
}

// count is a pagination number, written as a JSON number or as a string of
// digits: Cachet before 2.0 passed the paginator's values through uncast, so
// per_page came back as the query string's "20" (cast to int by cachethq/cachet
// e9e5768, "per_page attribute in API responses should be an integer"), and
// the other four are cast the same way since, so an instance or a proxy that
// still sends any of them as text is read alike. null is 0, as absent.
type count int

func (c *count) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*c = 0
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n < 0 {
		return fmt.Errorf("pagination number %s: want a count, as a number or a string of digits", b)
	}
	*c = count(n)
	return nil
}

// decodePage parses one page of a list endpoint, `{"meta": {"pagination":
// ...}, "data": [...]}`, and checks each item with check. Both the
// pagination and the data array are required: without them the body is not
// the answer asked for, even when it parses.
func decodePage[W, T any](body []byte, check func(W) (T, error)) ([]T, pagination, error) {
	var doc struct {
		Meta struct {
			Pagination *pagination `json:"pagination"`
		} `json:"meta"`
		Data *[]W `json:"data"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, pagination{}, err
	}
	if doc.Data == nil {
		return nil, pagination{}, errors.New(`no "data" array`)
	}
	if doc.Meta.Pagination == nil {
		return nil, pagination{}, errors.New(`no "meta.pagination" object`)
	}
	items := make([]T, 0, len(*doc.Data))
	for i, w := range *doc.Data {
		it, err := check(w)
		if err != nil {
			return nil, pagination{}, fmt.Errorf("item %d: %w", i, err)
		}
		items = append(items, it)
	}
	return items, *doc.Meta.Pagination, nil
}

// component is an element of /api/v1/components.
type component struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Status     int    `json:"status"`      // 1 operational ... 4 major outage; 0 unknown
	StatusName string `json:"status_name"` // the status in the page's language
	// Enabled is false for a component hidden from the page; the API lists
	// those only to a token holder. Absent means enabled.
	Enabled *flag `json:"enabled"`
}

func checkComponent(c component) (component, error) {
	if c.ID == 0 {
		return component{}, errors.New("component has no id")
	}
	return c, nil
}

// incident is an element of /api/v1/incidents, its times read in the
// page's time zone.
type incident struct {
	ID          string
	Name        string // its title
	ComponentID int64
	Status      int
	Visible     bool
	OccurredAt  time.Time // when the vendor says it began; may be backdated
	CreatedAt   time.Time // first public post
	UpdatedAt   time.Time
	Updates     []update
}

// update is one of an incident's updates (Cachet 2.4 embeds them all).
type update struct {
	Status    int
	CreatedAt time.Time
}

type wireIncident struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	ComponentID int64        `json:"component_id"`
	Status      int          `json:"status"`
	Visible     *flag        `json:"visible"` // 0 only reaches a token holder
	OccurredAt  *string      `json:"occurred_at"`
	CreatedAt   *string      `json:"created_at"`
	UpdatedAt   *string      `json:"updated_at"`
	Updates     []wireUpdate `json:"updates"`
}

type wireUpdate struct {
	Status    int     `json:"status"`
	CreatedAt *string `json:"created_at"`
}

// checkIncident returns the check of /api/v1/incidents items in loc: an
// incident needs an id and the time it was posted.
func checkIncident(loc *time.Location) func(wireIncident) (incident, error) {
	return func(w wireIncident) (incident, error) {
		if w.ID == 0 {
			return incident{}, errors.New("incident has no id")
		}
		inc := incident{
			ID:          strconv.FormatInt(w.ID, 10),
			Name:        w.Name,
			ComponentID: w.ComponentID,
			Status:      w.Status,
			Visible:     w.Visible == nil || bool(*w.Visible),
		}
		var err error
		if inc.CreatedAt, err = required(w.CreatedAt, loc, "created_at"); err != nil {
			return incident{}, fmt.Errorf("incident %s: %w", inc.ID, err)
		}
		if inc.OccurredAt, err = optional(w.OccurredAt, loc, "occurred_at"); err != nil {
			return incident{}, fmt.Errorf("incident %s: %w", inc.ID, err)
		}
		if inc.UpdatedAt, err = optional(w.UpdatedAt, loc, "updated_at"); err != nil {
			return incident{}, fmt.Errorf("incident %s: %w", inc.ID, err)
		}
		for i, u := range w.Updates {
			at, err := required(u.CreatedAt, loc, "created_at")
			if err != nil {
				return incident{}, fmt.Errorf("incident %s: update %d: %w", inc.ID, i, err)
			}
			inc.Updates = append(inc.Updates, update{Status: u.Status, CreatedAt: at})
		}
		return inc, nil
	}
}

// schedule is an element of /api/v1/schedules (Cachet 2.4's scheduled
// maintenance), its times read in the page's time zone.
type schedule struct {
	ID          string
	Name        string    // its title
	Status      int       // 0 upcoming, 1 in progress, 2 complete
	ScheduledAt time.Time // planned start
	CompletedAt time.Time
	CreatedAt   time.Time // announced
	UpdatedAt   time.Time
}

type wireSchedule struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Status      int     `json:"status"`
	ScheduledAt *string `json:"scheduled_at"`
	CompletedAt *string `json:"completed_at"`
	CreatedAt   *string `json:"created_at"`
	UpdatedAt   *string `json:"updated_at"`
}

// checkSchedule returns the check of /api/v1/schedules items in loc: a
// maintenance needs an id, its announcement and its planned start.
func checkSchedule(loc *time.Location) func(wireSchedule) (schedule, error) {
	return func(w wireSchedule) (schedule, error) {
		if w.ID == 0 {
			return schedule{}, errors.New("schedule has no id")
		}
		s := schedule{ID: strconv.FormatInt(w.ID, 10), Name: w.Name, Status: w.Status}
		var err error
		for _, f := range []struct {
			dst      *time.Time
			src      *string
			name     string
			required bool
		}{
			{&s.ScheduledAt, w.ScheduledAt, "scheduled_at", true},
			{&s.CreatedAt, w.CreatedAt, "created_at", true},
			{&s.CompletedAt, w.CompletedAt, "completed_at", false},
			{&s.UpdatedAt, w.UpdatedAt, "updated_at", false},
		} {
			if f.required {
				*f.dst, err = required(f.src, loc, f.name)
			} else {
				*f.dst, err = optional(f.src, loc, f.name)
			}
			if err != nil {
				return schedule{}, fmt.Errorf("schedule %s: %w", s.ID, err)
			}
		}
		return s, nil
	}
}

// zoneless is how Cachet writes times: in the page's configured time zone,
// without saying which ("2016-10-04 13:34:11").
const zoneless = time.DateTime

// optional reads a zone-less time in loc; null or "" is the zero time. A
// wall time that a daylight-saving change repeats or skips is ambiguous:
// it is read in one of the two offsets (time.Date does not say which), an
// hour off at worst, once or twice a year.
func optional(s *string, loc *time.Location, name string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation(zoneless, *s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want YYYY-MM-DD hh:mm:ss", name, *s)
	}
	return t.UTC(), nil
}

// required is optional refusing the zero time.
func required(s *string, loc *time.Location, name string) (time.Time, error) {
	t, err := optional(s, loc, name)
	if err == nil && t.IsZero() {
		err = fmt.Errorf("no %s", name)
	}
	return t, err
}

// flag is a boolean Cachet writes as 0/1 (its casts) or true/false.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "1", "true":
		*f = true
	case "0", "false":
		*f = false
	default:
		return fmt.Errorf("flag %s: want 0, 1, true or false", b)
	}
	return nil
}
