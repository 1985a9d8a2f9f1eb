package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// noticeLine is one notification on the "Voor jou" page.
type noticeLine struct {
	Text, Link, At, Group string
	Read                  bool
}

type notificationsPage struct {
	Summary   string
	HasUnread bool
	Notices   []noticeLine
	Pager     pager
	Errors    []string
}

// pageNotifications lists what waits for the user, unread first, a page
// at a time: GET /notifications?cursor= ("Voor jou"). Opening a handover
// marks its notices read.
func (s *Server) pageNotifications(c *gin.Context) {
	lang := s.lang(c)
	a := actor(c)
	q := listQuery(c, "cursor")
	f := cases.NoticeFilter{Cursor: q.text("cursor", 400)}
	list, status, problems, ok := pageOfList(s, c, q, f, func(f cases.NoticeFilter) (*cases.NoticeList, error) {
		return s.Notify.Notices(c.Request.Context(), a, f)
	})
	if !ok {
		return
	}
	unread, err := s.Notify.Unread(c.Request.Context(), a)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := notificationsPage{Summary: s.unreadSummary(lang, unread), HasUnread: unread.Total() > 0, Errors: problems}
	text := 0
	if lang == langEN {
		text = 1
	}
	for _, n := range list.Notices {
		p.Notices = append(p.Notices, noticeLine{Text: n.Text[text], Link: "/handovers/" + n.HandoverID,
			At: localTime(n.At, lang), Group: cases.NoticeGroup(n.Kind), Read: n.Read})
	}
	p.Pager = pagerOf(c, "notice-list", "cursor", list.Offset, len(list.Notices), list.Total, list.NextCursor)
	s.render(c, status, "notifications", "notify.title", p)
}

// pageNotificationsRead marks everything read: POST /notifications/read.
func (s *Server) pageNotificationsRead(c *gin.Context) {
	if err := s.Notify.MarkAllRead(c.Request.Context(), actor(c)); err != nil {
		s.pageFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications")
}

// unreadSummary says what waits: "Voor jou: 2 nieuwe overdrachten, 1
// uitkomst"; "" when nothing does.
func (s *Server) unreadSummary(lang string, u cases.Unread) string {
	var parts []string
	for _, g := range []struct {
		key string
		n   int
	}{{"notify.summary.incoming", u.IncomingHandovers}, {"notify.summary.outcomes", u.Outcomes},
		{"notify.summary.overdue", u.Overdue}} {
		switch {
		case g.n == 1:
			parts = append(parts, s.i18n.T(lang, g.key+"_one"))
		case g.n > 1:
			parts = append(parts, s.i18n.T(lang, g.key+"_many", strconv.Itoa(g.n)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return s.i18n.T(lang, "notify.summary", strings.Join(parts, ", "))
}
