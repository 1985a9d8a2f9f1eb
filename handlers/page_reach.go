package handlers

import (
	"fmt"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/auth"
	"github.com/buurtbrug/buurtbrug/cases"
)

// reachPage is the reach page: a chosen period and table, shown as a table
// and as a bar chart per programme, with downloads; programme staff
// prepare, review, publish and discard drafts, coordinators see the live
// figures of their own organisation.
type reachPage struct {
	Periods     []choice
	Tables      []choice
	Period      string
	TableID     string
	Title       string
	Status      string
	Version     int
	Published   bool
	Draft       bool // a draft under review: publish or discard
	PublishedAt string
	Generated   string
	Headers     []string
	Rows        []reachPageRow
	Legend      []reachLegendItem
	Downloads   []reachLink
	Versions    []reachLink
	Live        string // a coordinator's link to the live figures
	IsLive      bool
	CanManage   bool
	// NoRelease: programme staff look at a period without a draft or
	// version yet.
	NoRelease bool
	Notice    string
	Error     string
}

type reachPageRow struct {
	Name  string
	Total bool
	Cells []cases.ReachCell
	Chart template.HTML
}

type reachLegendItem struct{ Symbol, Text string }

type reachLink struct {
	Label, Href string
	Current     bool
}

// reachNotices are the notices a form's redirect asks for.
var reachNotices = map[string]string{"published": "reach.published_notice", "drafted": "reach.drafted_notice",
	"discarded": "reach.discarded_notice"}

// pageReach shows the reach figures: GET /reach?period=&table=&version=.
func (s *Server) pageReach(c *gin.Context) { s.showReach(c, http.StatusOK, "") }

// showReach renders the page; alert is a message about a refused form.
func (s *Server) showReach(c *gin.Context, status int, alert string) {
	lang := s.lang(c)
	now := s.Auth.Now().In(cases.Amsterdam)
	ctx := c.Request.Context()
	viewer := cases.ViewerOf(actor(c))
	page := reachPage{CanManage: s.allowed(c, "reach", auth.ActManage), Error: alert}
	period := c.DefaultQuery("period", defaultReachPeriod(now).String())
	p, err := cases.ParsePeriod(period)
	if err != nil {
		p = defaultReachPeriod(now)
		page.Error = s.i18n.T(lang, "field.period", "period", period)
	}
	page.Period = p.String()
	page.TableID = c.DefaultQuery("table", cases.TableProgrammePeriod)
	if !cases.IsReachTable(page.TableID) {
		page.Error = s.i18n.T(lang, "field.reach_table", "table", page.TableID)
		page.TableID = cases.TableProgrammePeriod
	}
	releases, err := s.Reach.Releases(ctx, viewer, p)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	q := cases.ReachQuery{Period: p, Table: page.TableID}
	switch v := c.Query("version"); {
	case v == "live":
		q.Live = true
	case v != "":
		q.Version, _ = strconv.Atoi(v)
	case viewer.Staff && len(releases) > 0:
		q.Version = releases[0].Version // the newest, a draft under review too
	case viewer.Staff:
		page.NoRelease = true
	default:
		q.Live = true
	}
	for key, msg := range reachNotices {
		if c.Query(key) != "" {
			page.Notice = s.i18n.T(lang, msg, page.Period)
		}
	}
	for _, per := range reachPeriodChoices(now) {
		page.Periods = append(page.Periods, choice{Value: per.String(), Label: per.String(), Checked: per == p})
	}
	if !containsChoice(page.Periods, page.Period) {
		page.Periods = append([]choice{{Value: page.Period, Label: page.Period, Checked: true}}, page.Periods...)
	}
	for _, id := range cases.ReachTables {
		page.Tables = append(page.Tables, choice{Value: id, Label: id + " · " + cases.TableTitles[id].Name(lang), Checked: id == page.TableID})
	}
	page.Versions = s.reachVersions(releases, page.TableID, q, lang)
	if viewer.Coordinator {
		page.Live = "/reach?" + url.Values{"period": {page.Period}, "table": {page.TableID}, "version": {"live"}}.Encode()
	}
	if page.NoRelease {
		s.render(c, status, "reach", "reach.title", page)
		return
	}
	t, err := s.Reach.Table(ctx, viewer, q)
	if err != nil {
		status, body := s.errorBody(c, err)
		if status >= 500 {
			s.pageFail(c, err)
			return
		}
		page.Error = body.Error.Message
		s.render(c, status, "reach", "reach.title", page)
		return
	}
	s.fillReachPage(&page, t, lang, q)
	s.render(c, status, "reach", "reach.title", page)
}

// reachVersions links every release of the period the viewer may read.
func (s *Server) reachVersions(releases []cases.ReachRelease, table string, q cases.ReachQuery, lang string) []reachLink {
	var out []reachLink
	for _, r := range releases {
		v := url.Values{"period": {r.Period}, "table": {table}, "version": {strconv.Itoa(r.Version)}}
		out = append(out, reachLink{
			Label:   s.i18n.T(lang, "reach.version_of", r.Version, s.i18n.T(lang, "reach.status."+r.Status), exportTime(r.CreatedAt)),
			Href:    "/reach?" + v.Encode(),
			Current: !q.Live && q.Version == r.Version,
		})
	}
	return out
}

func containsChoice(list []choice, v string) bool {
	for _, c := range list {
		if c.Value == v {
			return true
		}
	}
	return false
}

func (s *Server) fillReachPage(page *reachPage, t *cases.ReachTable, lang string, q cases.ReachQuery) {
	page.Title = cases.TableTitles[t.Table].Name(lang)
	page.Status = t.Status
	page.Published = t.Status == cases.ReachPublished
	page.Draft = t.Status == cases.ReleaseDraft
	page.IsLive = q.Live || t.Status == cases.ReachProvisional
	page.Version = t.Version
	page.Generated = exportTime(t.GeneratedAt)
	if t.PublishedAt != nil {
		page.PublishedAt = exportTime(*t.PublishedAt)
	}
	for _, col := range t.Columns {
		name := col.Name(lang)
		if t.Table == cases.TableProgrammePeriod && col.Group != "" {
			name = col.Group + " · " + name
		}
		page.Headers = append(page.Headers, name)
	}
	charted := chartedColumns(t)
	scale := 0.0
	for _, r := range t.Rows {
		for _, i := range charted {
			if v := r.Cells[i].Value; v != nil && *v > scale {
				scale = *v
			}
		}
	}
	for _, r := range t.Rows {
		row := reachPageRow{Name: r.Name(lang), Total: r.Key == cases.AllProgrammes, Cells: r.Cells}
		row.Chart = reachChart(t, r, charted, scale, lang)
		page.Rows = append(page.Rows, row)
	}
	legend := s.reachLegend(t, lang)
	for _, sym := range reachLegendSymbols(t) {
		shown := sym
		if sym == "rounding" {
			shown = "415" // an example of a rounded count
		}
		page.Legend = append(page.Legend, reachLegendItem{shown, legend[sym]})
	}
	base := url.Values{"period": {t.Period}, "table": {t.Table}}
	if page.IsLive {
		base.Set("version", "live")
	} else {
		base.Set("version", strconv.Itoa(t.Version))
	}
	for _, d := range []struct{ key, format, dialect string }{
		{"reach.download.csv", "csv", dialectIntl}, {"reach.download.csv_nl", "csv", dialectNL}, {"reach.download.xlsx", "xlsx", ""},
	} {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set("format", d.format)
		if d.dialect != "" {
			v.Set("dialect", d.dialect)
		}
		page.Downloads = append(page.Downloads, reachLink{Label: s.i18n.T(lang, d.key), Href: "/api/v1/reach?" + v.Encode()})
	}
}

// chartedColumns are the columns the bar charts show: the categories, not
// the total; for T1 the persons reached per period; for T5 the counts.
func chartedColumns(t *cases.ReachTable) []int {
	var out []int
	for i, col := range t.Columns {
		switch {
		case col.Key == "total":
		case t.Table == cases.TableProgrammePeriod && !strings.HasSuffix(col.Key, ":"+cases.MeasureReached):
		case t.Table == cases.TableHandoverFlow && (col.Key == cases.HandoverDaysToAccept || col.Key == cases.HandoverDaysToContact):
		default:
			out = append(out, i)
		}
	}
	return out
}

// reachChart draws a horizontal bar chart of one row as inline SVG (no
// script, no inline style: colours come from app.css). Suppressed cells get
// no bar, only their symbol. Every value is escaped.
func reachChart(t *cases.ReachTable, r cases.ReachRow, cols []int, scale float64, lang string) template.HTML {
	const width, labelW, barH, gap = 640.0, 230.0, 18.0, 6.0
	barMax := width - labelW - 60
	height := float64(len(cols))*(barH+gap) + gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s">`,
		width, height, html.EscapeString(r.Name(lang)))
	for n, i := range cols {
		col, cell := t.Columns[i], r.Cells[i]
		y := gap + float64(n)*(barH+gap)
		name := col.Name(lang)
		if t.Table == cases.TableProgrammePeriod {
			name = col.Group
		}
		fmt.Fprintf(&b, `<text class="chart-label" x="%.0f" y="%.1f" text-anchor="end">%s</text>`,
			labelW-8, y+barH-4, html.EscapeString(name))
		w := 0.0
		if cell.Value != nil && scale > 0 {
			w = *cell.Value / scale * barMax
		}
		class := "bar"
		if cell.Status != cases.CellPublished {
			class = "bar suppressed"
		}
		if w > 0 {
			fmt.Fprintf(&b, `<rect class="%s" x="%.0f" y="%.1f" width="%.1f" height="%.0f"></rect>`, class, labelW, y, w, barH)
		}
		fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%.1f">%s</text>`, labelW+w+6, y+barH-4, html.EscapeString(cell.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// defaultReachPeriod is the last quarter that has ended.
func defaultReachPeriod(now time.Time) cases.Period {
	q := cases.PeriodsOf(now)[0]
	if q.N == 1 {
		return cases.Period{Year: q.Year - 1, Kind: cases.Quarter, N: 4}
	}
	return cases.Period{Year: q.Year, Kind: cases.Quarter, N: q.N - 1}
}

// reachPeriodChoices lists the periods of the last four years that have
// begun, newest first.
func reachPeriodChoices(now time.Time) []cases.Period {
	var out []cases.Period
	for y := now.Year(); y > now.Year()-4; y-- {
		for _, p := range []cases.Period{{Year: y, Kind: cases.Year}, {Year: y, Kind: cases.Half, N: 2},
			{Year: y, Kind: cases.Half, N: 1}, {Year: y, Kind: cases.Quarter, N: 4}, {Year: y, Kind: cases.Quarter, N: 3},
			{Year: y, Kind: cases.Quarter, N: 2}, {Year: y, Kind: cases.Quarter, N: 1}} {
			if !p.Start().After(now) {
				out = append(out, p)
			}
		}
	}
	return out
}
