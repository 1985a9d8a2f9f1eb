package handlers

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/buurtbrug/buurtbrug/cases"
)

// CSV dialects of GET /api/v1/reach?format=csv&dialect=...
const (
	// dialectIntl: comma-separated, decimal point.
	dialectIntl = "intl"
	// dialectNL: what Dutch Excel opens by double-click: semicolon-separated,
	// decimal comma, UTF-8 with a byte-order mark.
	dialectNL = "nl"
)

// reachSheet is a table laid out for a spreadsheet: metadata lines, a
// legend, then the table with its header. CSV and XLSX share it.
type reachSheet struct {
	meta   [][]string
	header []string
	rows   [][]reachSheetCell
}

type reachSheetCell struct {
	text  string
	value *float64
}

func (s *Server) reachSheet(t *cases.ReachTable, lang string) reachSheet {
	tr := func(key string, args ...any) string { return s.i18n.T(lang, key, args...) }
	title := cases.TableTitles[t.Table]
	sh := reachSheet{}
	add := func(cells ...string) { sh.meta = append(sh.meta, cells) }
	add(tr("reach.export.title"))
	add(tr("reach.export.table"), t.Table, title.Name(lang))
	add(tr("reach.export.period"), t.Period)
	switch t.Status {
	case cases.ReachPublished:
		add(tr("reach.export.status"), tr("reach.status.published"), tr("reach.export.version", t.Version))
		if t.PublishedAt != nil {
			add(tr("reach.export.published_at"), exportTime(*t.PublishedAt))
		}
	case cases.ReleaseDraft, cases.ReleaseDiscarded:
		add(tr("reach.export.status"), tr("reach.status."+t.Status), tr("reach.export.version", t.Version))
	default:
		add(tr("reach.export.status"), tr("reach.status.provisional"))
	}
	add(tr("reach.export.generated_at"), exportTime(t.GeneratedAt))
	add(tr("reach.export.threshold"), strconv.Itoa(t.Rules.Threshold))
	add(tr("reach.export.rounding"), strconv.Itoa(t.Rules.RoundingBase))
	legend := s.reachLegend(t, lang)
	for _, sym := range reachLegendSymbols(t) {
		shown := sym
		if sym == "rounding" {
			shown = ""
		}
		add(tr("reach.export.legend"), shown, legend[sym])
	}
	add(tr("reach.export.note"), tr("reach.export.note_text"))

	rowHead := tr("reach.col.programme")
	if t.Table == cases.TableHandoverFlow {
		rowHead = tr("reach.col.flow")
	}
	sh.header = []string{rowHead}
	for _, col := range t.Columns {
		name := col.Name(lang)
		if t.Table == cases.TableProgrammePeriod && col.Group != "" {
			name = col.Group + " · " + name
		}
		sh.header = append(sh.header, name)
	}
	for _, r := range t.Rows {
		row := []reachSheetCell{{text: r.Name(lang)}}
		for _, c := range r.Cells {
			row = append(row, reachSheetCell{text: c.Text, value: c.Value})
		}
		sh.rows = append(sh.rows, row)
	}
	return sh
}

// exportTime renders an instant in Amsterdam time with its offset.
func exportTime(t time.Time) string {
	return t.In(cases.Amsterdam).Format("2006-01-02 15:04:05 -07:00")
}

// defuse keeps a spreadsheet from running a text cell as a formula: one
// that begins with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe, which spreadsheets show as text (OWASP's advice on CSV
// injection). Names of programmes and neighbourhoods are typed by people.
func defuse(text string) string {
	if text != "" && strings.ContainsRune("=+-@\t\r", rune(text[0])) {
		return "'" + text
	}
	return text
}

func defused(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = defuse(c)
	}
	return out
}

// reachCSV renders a table as CSV in a dialect.
func (s *Server) reachCSV(t *cases.ReachTable, lang, dialect string) ([]byte, error) {
	sh := s.reachSheet(t, lang)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	number := func(c reachSheetCell) string {
		if c.value == nil {
			return c.text
		}
		text := strconv.FormatFloat(*c.value, 'f', -1, 64)
		if dialect == dialectNL {
			text = strings.ReplaceAll(text, ".", ",")
		}
		return text
	}
	if dialect == dialectNL {
		buf.WriteString("\uFEFF")
		w.Comma = ';'
	}
	for _, m := range sh.meta {
		if err := w.Write(defused(m)); err != nil {
			return nil, err
		}
	}
	// An empty line between the metadata and the table (csv.Writer would
	// write nothing for an empty record).
	w.Flush()
	buf.WriteString("\r\n")
	if err := w.Write(defused(sh.header)); err != nil {
		return nil, err
	}
	for _, row := range sh.rows {
		record := make([]string, len(row))
		for i, c := range row {
			if i == 0 {
				record[i] = defuse(c.text)
			} else {
				record[i] = number(c)
			}
		}
		if err := w.Write(record); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// reachXLSX renders a table as an Excel workbook: one sheet, metadata on
// top, the table below with numbers as numbers and suppressed cells as text.
func (s *Server) reachXLSX(t *cases.ReachTable, lang string) ([]byte, error) {
	sh := s.reachSheet(t, lang)
	f := excelize.NewFile()
	defer f.Close()
	sheet := s.i18n.T(lang, "reach.export.sheet")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	set := func(col, row int, v any) error {
		cell, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return err
		}
		return f.SetCellValue(sheet, cell, v)
	}
	row := 1
	for _, m := range sh.meta {
		for i, v := range m {
			if err := set(i+1, row, v); err != nil {
				return nil, err
			}
		}
		row++
	}
	row++ // an empty line, as in the CSV
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, v := range sh.header {
		if err := set(i+1, row, v); err != nil {
			return nil, err
		}
	}
	first, _ := excelize.CoordinatesToCellName(1, row)
	last, _ := excelize.CoordinatesToCellName(len(sh.header), row)
	if err := f.SetCellStyle(sheet, first, last, bold); err != nil {
		return nil, err
	}
	row++
	for _, r := range sh.rows {
		for i, c := range r {
			var v any = c.text
			if i > 0 && c.value != nil {
				if *c.value == float64(int64(*c.value)) {
					v = int64(*c.value)
				} else {
					v = *c.value
				}
			}
			if err := set(i+1, row, v); err != nil {
				return nil, err
			}
		}
		row++
	}
	if err := f.SetColWidth(sheet, "A", "A", 38); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
