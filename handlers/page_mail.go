package handlers

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/buurtbrug/buurtbrug/cases"
)

// mailLine is one mail of the outbox page.
type mailLine struct {
	To, Subject, Body, Created, State, Sent, Error string
	Attempts                                       int
}

type mailPage struct {
	SendsMail  bool
	MailServer bool
	Mails      []mailLine
	Pager      pager
	Alert      string
}

// pageMail shows the outbox to administrators: GET /admin/mail. With a
// mail server it says where each mail stands; in the demo without one it
// shows the mails that would be sent. Mails hold no resident's data.
func (s *Server) pageMail(c *gin.Context) {
	lang := s.lang(c)
	q := listQuery(c, "cursor")
	f := cases.MailFilter{Cursor: q.text("cursor", 400)}
	p := mailPage{SendsMail: s.Notify.SendsMail(), MailServer: s.MailServer}
	list, status, problems, ok := pageOfList(s, c, q, f, func(f cases.MailFilter) (*cases.MailList, error) {
		return s.Mail.Mails(c.Request.Context(), actor(c), f)
	})
	if !ok {
		return
	}
	if len(problems) > 0 {
		p.Alert = strings.Join(problems, " ")
	}
	p.Pager = pagerOf(c, "mail-list", "cursor", list.Offset, len(list.Mails), list.Total, list.NextCursor)
	for _, m := range list.Mails {
		line := mailLine{To: m.To, Subject: m.Subject, Body: m.Body, Created: localTime(m.CreatedAt, lang),
			State: s.i18n.T(lang, "mail.state."+m.State), Error: m.LastError, Attempts: m.Attempts}
		if m.SentAt != nil {
			line.Sent = localTime(*m.SentAt, lang)
		}
		p.Mails = append(p.Mails, line)
	}
	s.render(c, status, "mail", "mail.title", p)
}
