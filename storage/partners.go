package storage

import (
	"context"
	"slices"
	"strings"

	"github.com/buurtbrug/buurtbrug/cases"
)

// partners stores the directory: entries, their topics and their hours.
type partners struct{ conn }

// Kinds of partner_hours rows.
const (
	hoursOpen   = "open"
	hoursDropIn = "drop_in"
)

func (p partners) PartnerServices(ctx context.Context) ([]cases.PartnerService, error) {
	rows, err := p.q.QueryContext(ctx, `SELECT id, organisation_id, COALESCE(programme_id, 0), name, offer, audience,
		languages, phone, email, website, updated_at FROM partner_services ORDER BY organisation_id, sort, name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idx := p.db.ref.index()
	out := []cases.PartnerService{}
	at := map[string]int{}
	for rows.Next() {
		var s cases.PartnerService
		var programme int64
		var languages, updated string
		if err := rows.Scan(&s.ID, &s.OrganisationID, &programme, &s.Name, &s.Offer, &s.Audience, &languages,
			&s.Phone, &s.Email, &s.Website, &updated); err != nil {
			return nil, err
		}
		s.Organisation, s.Programme = idx.orgSlug[s.OrganisationID], idx.programmeSlug[programme]
		s.Languages = commaList(languages)
		s.Topics, s.Hours, s.DropIns = []string{}, []cases.OpeningSpan{}, []cases.OpeningSpan{}
		s.UpdatedAt = mustTime(updated)
		at[s.ID] = len(out)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := p.topics(ctx, out, at, idx); err != nil {
		return nil, err
	}
	return out, p.hours(ctx, out, at)
}

func (p partners) topics(ctx context.Context, out []cases.PartnerService, at map[string]int, idx refIDs) error {
	rows, err := p.q.QueryContext(ctx, `SELECT t.service_id, t.topic_id FROM partner_service_topics t
		JOIN topics o ON o.id = t.topic_id ORDER BY o.sort, o.name_nl`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var topic int64
		if err := rows.Scan(&id, &topic); err != nil {
			return err
		}
		if i, ok := at[id]; ok {
			out[i].Topics = append(out[i].Topics, slugOf(idx.topicSlug, topic))
		}
	}
	return rows.Err()
}

func (p partners) hours(ctx context.Context, out []cases.PartnerService, at map[string]int) error {
	rows, err := p.q.QueryContext(ctx, `SELECT service_id, kind, weekday, opens, closes, place FROM partner_hours
		ORDER BY service_id, kind, seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		var day int
		var span cases.OpeningSpan
		if err := rows.Scan(&id, &kind, &day, &span.Opens, &span.Closes, &span.Place); err != nil {
			return err
		}
		i, ok := at[id]
		if !ok || day < 1 || day > len(cases.Weekdays) {
			continue
		}
		span.Day = cases.Weekdays[day-1]
		if kind == hoursDropIn {
			out[i].DropIns = append(out[i].DropIns, span)
		} else {
			out[i].Hours = append(out[i].Hours, span)
		}
	}
	return rows.Err()
}

func (p partners) SavePartnerService(ctx context.Context, s *cases.PartnerService, by string) error {
	idx := p.db.ref.index()
	var programme any
	if s.Programme != "" {
		programme = nullInt(idx.programmes[s.Programme])
	}
	if _, err := p.q.ExecContext(ctx, `INSERT INTO partner_services (id, organisation_id, programme_id, name, offer,
		audience, languages, phone, email, website, sort, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			(SELECT COALESCE(MAX(sort), 0) + 1 FROM partner_services WHERE organisation_id = ?), ?, ?)
		ON CONFLICT (id) DO UPDATE SET programme_id = excluded.programme_id, name = excluded.name,
			offer = excluded.offer, audience = excluded.audience, languages = excluded.languages,
			phone = excluded.phone, email = excluded.email, website = excluded.website,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by
		WHERE partner_services.organisation_id = excluded.organisation_id`,
		s.ID, s.OrganisationID, programme, s.Name, s.Offer, s.Audience, strings.Join(s.Languages, ","), s.Phone,
		s.Email, s.Website, s.OrganisationID, cases.FormatTime(s.UpdatedAt), by); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM partner_service_topics WHERE service_id = ?`,
		`DELETE FROM partner_hours WHERE service_id = ?`} {
		if _, err := p.q.ExecContext(ctx, q, s.ID); err != nil {
			return err
		}
	}
	for _, t := range s.Topics {
		if _, err := p.q.ExecContext(ctx, `INSERT INTO partner_service_topics (service_id, topic_id) VALUES (?, ?)`,
			s.ID, idx.topics[t]); err != nil {
			return err
		}
	}
	for kind, spans := range map[string][]cases.OpeningSpan{hoursOpen: s.Hours, hoursDropIn: s.DropIns} {
		for seq, span := range spans {
			if _, err := p.q.ExecContext(ctx, `INSERT INTO partner_hours (service_id, seq, kind, weekday, opens, closes, place)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, s.ID, seq, kind, slices.Index(cases.Weekdays, span.Day)+1, span.Opens,
				span.Closes, span.Place); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p partners) DeletePartnerService(ctx context.Context, orgID int64, id string) (bool, error) {
	res, err := p.q.ExecContext(ctx, `DELETE FROM partner_services WHERE id = ? AND organisation_id = ?`, id, orgID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func commaList(s string) []string {
	out := []string{}
	for _, part := range strings.Split(s, ",") {
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}
