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
// and as a bar chart per programme, with downloads and publishing.
type reachPage struct {
	Periods     []choice
	Tables      []choice
	Period      string
	TableID     string
	Title       string
	Status      string
	Version     int
	Published   bool
	PublishedAt string
	Generated   string
	Headers     []string
	Rows        []reachPageRow
	Legend      []reachLegendItem
	Downloads   []reachLink
	Versions    []reachLink
	Live        string // link to the live figures of a published period
	CanPublish  bool
	Notice      string
	Error       string
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

// pageReach shows the reach figures: GET /reach?period=&table=&version=.
func (s *Server) pageReach(c *gin.Context) { s.showReach(c, http.StatusOK, "") }

// showReach renders the page; alert is a message about a refused publish.
func (s *Server) showReach(c *gin.Context, status int, alert string) {
	lang := s.lang(c)
	now := s.Auth.Now().In(cases.Amsterdam)
	ctx := c.Request.Context()
	published, err := s.Reach.Published(ctx)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	isPublished := map[string]bool{}
	for _, p := range published {
		isPublished[p.Period] = true
	}
	page := reachPage{CanPublish: s.allowed(c, "reach", auth.ActManage), Error: alert}
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
	q := cases.ReachQuery{Period: p, Table: page.TableID}
	switch v := c.Query("version"); v {
	case "":
	case "live":
		q.Live = true
	default:
		q.Version, _ = strconv.Atoi(v)
	}
	if c.Query("published") != "" {
		page.Notice = s.i18n.T(lang, "reach.published_notice", page.Period)
	}
	for _, per := range reachPeriodChoices(now) {
		label := per.String()
		if isPublished[label] {
			label += " · " + s.i18n.T(lang, "reach.status.published")
		}
		page.Periods = append(page.Periods, choice{Value: per.String(), Label: label, Checked: per == p})
	}
	if !containsChoice(page.Periods, page.Period) {
		page.Periods = append([]choice{{Value: page.Period, Label: page.Period, Checked: true}}, page.Periods...)
	}
	for _, id := range cases.ReachTables {
		page.Tables = append(page.Tables, choice{Value: id, Label: id + " · " + cases.TableTitles[id].Name(lang), Checked: id == page.TableID})
	}
	t, err := s.Reach.Table(ctx, cases.ViewerOf(actor(c)), q)
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
	s.fillReachPage(&page, t, lang, published, q)
	s.render(c, status, "reach", "reach.title", page)
}

func containsChoice(list []choice, v string) bool {
	for _, c := range list {
		if c.Value == v {
			return true
		}
	}
	return false
}

func (s *Server) fillReachPage(page *reachPage, t *cases.ReachTable, lang string, published []cases.ReachPublication, q cases.ReachQuery) {
	page.Title = cases.TableTitles[t.Table].Name(lang)
	page.Status = t.Status
	page.Published = t.Status == cases.ReachPublished
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
	for _, sym := range []string{"<" + strconv.Itoa(t.Rules.Threshold), "x", "–"} {
		page.Legend = append(page.Legend, reachLegendItem{sym, legend[sym]})
	}
	page.Legend = append(page.Legend, reachLegendItem{"", legend["rounding"]})
	base := url.Values{"period": {t.Period}, "table": {t.Table}}
	if q.Live {
		base.Set("version", "live")
	} else if t.Status == cases.ReachPublished {
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
	for _, p := range published {
		if p.Period != t.Period {
			continue
		}
		v := url.Values{"period": {t.Period}, "table": {t.Table}, "version": {strconv.Itoa(p.Version)}}
		page.Versions = append(page.Versions, reachLink{
			Label:   s.i18n.T(lang, "reach.version_of", p.Version, exportTime(p.PublishedAt)),
			Href:    "/reach?" + v.Encode(),
			Current: page.Published && p.Version == t.Version,
		})
	}
	if len(page.Versions) > 0 {
		page.Live = "/reach?" + url.Values{"period": {t.Period}, "table": {t.Table}, "version": {"live"}}.Encode()
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

// pageReachPublish publishes a period from the page: POST /reach/publish
// {period, table, confirm}. Publishing cannot be undone, so the form asks
// to confirm; without it the page comes back saying so.
func (s *Server) pageReachPublish(c *gin.Context) {
	p, err := cases.ParsePeriod(c.PostForm("period"))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	if c.PostForm("confirm") != "yes" {
		c.Request.URL.RawQuery = url.Values{"period": {p.String()}, "table": {c.PostForm("table")}}.Encode()
		backTo(c, "/reach?"+c.Request.URL.RawQuery)
		s.showReach(c, http.StatusUnprocessableEntity, s.i18n.T(s.lang(c), "reach.publish_confirm_missing"))
		return
	}
	if _, err := s.Reach.Publish(c.Request.Context(), actor(c), p); err != nil {
		s.pageFail(c, err)
		return
	}
	table := c.PostForm("table")
	if !cases.IsReachTable(table) {
		table = cases.TableProgrammePeriod
	}
	c.Redirect(http.StatusSeeOther, "/reach?"+url.Values{"period": {p.String()}, "table": {table}, "published": {"1"}}.Encode())
}
