package simulator

import (
	"strconv"
	"time"
)

// JSON shapes of Zendesk's incremental ticket export, field for field as in
// the captures (payloads/zendesk/zenpy_incremental_tickets_cursor_first_page.json,
// airbyte_expected_records_ticket_metrics.jsonl, docs_list_ticket_metrics.json),
// nulls included.

type zExportPage struct {
	Tickets      []zTicket    `json:"tickets"`
	MetricSets   []zMetricSet `json:"metric_sets,omitempty"`
	AfterURL     *string      `json:"after_url"`
	BeforeURL    *string      `json:"before_url"`
	AfterCursor  *string      `json:"after_cursor"`
	BeforeCursor *string      `json:"before_cursor"`
	EndOfStream  bool         `json:"end_of_stream"`
}

type zTicket struct {
	URL                  string         `json:"url"`
	ID                   int64          `json:"id"`
	ExternalID           *string        `json:"external_id"`
	Via                  zVia           `json:"via"`
	CreatedAt            string         `json:"created_at"`
	UpdatedAt            string         `json:"updated_at"`
	Type                 *string        `json:"type"`
	Subject              string         `json:"subject"`
	RawSubject           string         `json:"raw_subject"`
	Description          string         `json:"description"`
	Priority             *string        `json:"priority"`
	Status               string         `json:"status"`
	Recipient            *string        `json:"recipient"`
	RequesterID          int64          `json:"requester_id"`
	SubmitterID          int64          `json:"submitter_id"`
	AssigneeID           *int64         `json:"assignee_id"`
	OrganizationID       int64          `json:"organization_id"`
	GroupID              *int64         `json:"group_id"`
	CollaboratorIDs      []int64        `json:"collaborator_ids"`
	FollowerIDs          []int64        `json:"follower_ids"`
	EmailCCIDs           []int64        `json:"email_cc_ids"`
	ForumTopicID         *int64         `json:"forum_topic_id"`
	ProblemID            *int64         `json:"problem_id"`
	HasIncidents         bool           `json:"has_incidents"`
	IsPublic             bool           `json:"is_public"`
	DueAt                *string        `json:"due_at"`
	Tags                 []string       `json:"tags"`
	CustomFields         []struct{}     `json:"custom_fields"`
	SatisfactionRating   *zSatisfaction `json:"satisfaction_rating"`
	SharingAgreementIDs  []int64        `json:"sharing_agreement_ids"`
	CustomStatusID       int64          `json:"custom_status_id"`
	Fields               []struct{}     `json:"fields"`
	FollowupIDs          []int64        `json:"followup_ids"`
	TicketFormID         int64          `json:"ticket_form_id"`
	BrandID              int64          `json:"brand_id"`
	AllowChannelback     bool           `json:"allow_channelback"`
	AllowAttachments     bool           `json:"allow_attachments"`
	FromMessagingChannel bool           `json:"from_messaging_channel"`
	GeneratedTimestamp   int64          `json:"generated_timestamp"`
}

type zVia struct {
	Channel string `json:"channel"`
	Source  struct {
		From struct{} `json:"from"`
		To   struct{} `json:"to"`
		Rel  *string  `json:"rel"`
	} `json:"source"`
}

// zSatisfaction is a ticket's satisfaction_rating: {"score":"unoffered"}
// before the survey goes out at the solve, {"score":"offered"} until the
// customer answers, then the rating itself.
type zSatisfaction struct {
	ID      int64   `json:"id,omitempty"`
	Score   string  `json:"score"`
	Comment *string `json:"comment,omitempty"`
}

type zMetricSet struct {
	URL                          string   `json:"url"`
	ID                           int64    `json:"id"`
	TicketID                     int64    `json:"ticket_id"`
	CreatedAt                    string   `json:"created_at"`
	UpdatedAt                    string   `json:"updated_at"`
	GroupStations                int      `json:"group_stations"`
	AssigneeStations             int      `json:"assignee_stations"`
	Reopens                      int      `json:"reopens"`
	Replies                      int      `json:"replies"`
	AssigneeUpdatedAt            *string  `json:"assignee_updated_at"`
	RequesterUpdatedAt           string   `json:"requester_updated_at"`
	StatusUpdatedAt              string   `json:"status_updated_at"`
	InitiallyAssignedAt          *string  `json:"initially_assigned_at"`
	AssignedAt                   *string  `json:"assigned_at"`
	SolvedAt                     *string  `json:"solved_at"`
	LatestCommentAddedAt         string   `json:"latest_comment_added_at"`
	ReplyTimeInMinutes           zMinutes `json:"reply_time_in_minutes"`
	ReplyTimeInSeconds           zSeconds `json:"reply_time_in_seconds"`
	FirstResolutionTimeInMinutes zMinutes `json:"first_resolution_time_in_minutes"`
	FullResolutionTimeInMinutes  zMinutes `json:"full_resolution_time_in_minutes"`
	AgentWaitTimeInMinutes       zMinutes `json:"agent_wait_time_in_minutes"`
	RequesterWaitTimeInMinutes   zMinutes `json:"requester_wait_time_in_minutes"`
	OnHoldTimeInMinutes          zMinutes `json:"on_hold_time_in_minutes"`
	CustomStatusUpdatedAt        string   `json:"custom_status_updated_at"`
}

type zMinutes struct {
	Calendar *int64 `json:"calendar"`
	Business *int64 `json:"business"`
}

type zSeconds struct {
	Calendar *int64 `json:"calendar"`
}

// Empty arrays are [] in Zendesk's JSON, never null.
var (
	noIDs    = []int64{}
	noFields = []struct{}{}
)

// zTime formats an instant as Zendesk does: UTC, whole seconds.
func zTime(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }

func zTimePtr(unix int64) *string {
	if unix == 0 {
		return nil
	}
	s := zTime(unix)
	return &s
}

func ptr[T any](v T) *T { return &v }

// minutes is Zendesk's whole minutes (rounded down) of a duration.
func minutes(d time.Duration) *int64 { return ptr(int64(d / time.Minute)) }

// zendeskTicket renders a ticket as the export lists it.
func (w *world) zendeskTicket(s *ticketState, base string) zTicket {
	tl := s.tl
	id := tl.id()
	topic := topics[tl.topic]
	subject := topic.subject
	t := zTicket{
		URL:                 base + "/api/v2/tickets/" + strconv.FormatInt(id, 10) + ".json",
		ID:                  id,
		CreatedAt:           zTime(s.created),
		UpdatedAt:           zTime(s.updated),
		Subject:             subject,
		RawSubject:          subject,
		Description:         subject + ". Ticket " + strconv.FormatInt(id, 10) + " of the support simulator.",
		Status:              s.zendeskStatus(),
		RequesterID:         tl.requester,
		SubmitterID:         tl.requester,
		OrganizationID:      tl.org,
		GroupID:             &w.id.groupID,
		CollaboratorIDs:     noIDs,
		FollowerIDs:         noIDs,
		EmailCCIDs:          noIDs,
		IsPublic:            true,
		Tags:                s.tags(),
		CustomFields:        noFields,
		SharingAgreementIDs: noIDs,
		CustomStatusID:      w.id.statusIDs[s.status],
		Fields:              noFields,
		FollowupIDs:         noIDs,
		TicketFormID:        w.id.formID,
		BrandID:             w.id.brandID,
		AllowAttachments:    true,
		GeneratedTimestamp:  s.updated,
	}
	t.Via.Channel = "web"
	if p := zPriorities[s.priority]; p != "" {
		t.Priority = &p
	}
	if s.firstReply != 0 {
		t.AssigneeID = &tl.agent
	}
	t.SatisfactionRating = s.satisfaction()
	return t
}

// zendeskStatus is the ticket's status as Zendesk's export shows it:
// "deleted" once deleted (a deleted ticket is listed with that status).
func (s *ticketState) zendeskStatus() string {
	if s.deleted {
		return "deleted"
	}
	return s.status.String()
}

// tags are the ticket's topic, plus "escalated" once escalated.
func (s *ticketState) tags() []string {
	if s.tagged {
		return []string{"escalated", topics[s.tl.topic].tag}
	}
	return []string{topics[s.tl.topic].tag}
}

func (s *ticketState) satisfaction() *zSatisfaction {
	switch {
	case len(s.ratings) > 0:
		good := s.ratings[len(s.ratings)-1]
		r := &zSatisfaction{ID: 7235633000000 + s.tl.id()*4 + int64(len(s.ratings)), Score: "bad", Comment: ptr("Still not fixed.")}
		if good {
			r.Score, r.Comment = "good", ptr("Thanks, that helped!")
		}
		return r
	case s.firstSolve != 0:
		return &zSatisfaction{Score: "offered"}
	default:
		return &zSatisfaction{Score: "unoffered"}
	}
}

// zendeskMetricSet renders the ticket's metric set as of the state's now.
func (w *world) zendeskMetricSet(s *ticketState, base string) zMetricSet {
	tl := s.tl
	metricID := 9000000000000 + tl.id()
	m := zMetricSet{
		URL:                   base + "/api/v2/ticket_metrics/" + strconv.FormatInt(metricID, 10) + ".json",
		ID:                    metricID,
		TicketID:              tl.id(),
		CreatedAt:             zTime(s.created),
		UpdatedAt:             zTime(s.updated),
		Reopens:               s.reopens,
		Replies:               s.replies,
		AssigneeUpdatedAt:     zTimePtr(s.lastVendor),
		RequesterUpdatedAt:    zTime(s.lastCustomer),
		StatusUpdatedAt:       zTime(s.lastStatus),
		InitiallyAssignedAt:   zTimePtr(s.firstReply),
		AssignedAt:            zTimePtr(s.firstReply),
		SolvedAt:              zTimePtr(s.lastSolve),
		LatestCommentAddedAt:  zTime(s.lastComment),
		CustomStatusUpdatedAt: zTime(s.lastStatus),
		OnHoldTimeInMinutes:   zMinutes{Calendar: ptr[int64](0), Business: ptr[int64](0)},
	}
	if s.firstReply != 0 {
		m.GroupStations, m.AssigneeStations = 1, 1
		m.ReplyTimeInMinutes, m.ReplyTimeInSeconds = w.span(s.created, s.firstReply), zSeconds{Calendar: ptr(s.firstReply - s.created)}
	}
	if s.firstSolve != 0 {
		m.FirstResolutionTimeInMinutes = w.span(s.created, s.firstSolve)
		wt := s.waits(w.cal)
		m.AgentWaitTimeInMinutes = zMinutes{Calendar: minutes(wt.agent[0]), Business: minutes(wt.agent[1])}
		m.RequesterWaitTimeInMinutes = zMinutes{Calendar: minutes(wt.requester[0]), Business: minutes(wt.requester[1])}
		m.OnHoldTimeInMinutes = zMinutes{Calendar: minutes(wt.onHold[0]), Business: minutes(wt.onHold[1])}
	}
	if s.solved() {
		m.FullResolutionTimeInMinutes = w.span(s.created, s.lastSolve)
	}
	return m
}

// span is the calendar and business minutes from one instant to another.
func (w *world) span(from, to int64) zMinutes {
	f, t := time.Unix(from, 0), time.Unix(to, 0)
	return zMinutes{Calendar: minutes(t.Sub(f)), Business: minutes(w.cal.Between(f, t))}
}
