package cases

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Synthetic cities for the reach engine's tests and benchmarks, built in
// memory with the counting rules of reach_facts.go: persons with contacts
// become facts, facts become counters, counters become counts. All of it is
// made up.

// simProgramme is a programme of a synthetic city; weight is the share of
// the city's persons that it reaches.
type simProgramme struct {
	slug, org string
	weight    float64
}

// simSpec sizes a synthetic city.
type simSpec struct {
	programmes []simProgramme
	hoods      []float64 // weight of each neighbourhood
	topics     int
	persons    int
	contacts   int // at least one per person and programme
	start, end time.Time
	// overlap is the chance that a person is known to a second programme.
	overlap  float64
	handover int // handovers sent
	seed     uint64
}

type simPerson struct {
	attrs    PersonAttrs
	contacts []ReachContact
}

// simCity is a generated city: persons with their contacts, and handovers.
type simCity struct {
	spec      simSpec
	layout    ReachLayout
	persons   []simPerson
	anonymous []ReachContact
	handovers []simHandover
}

type simHandover struct {
	from, to                                 int
	sent                                     time.Time
	accepted, contacted, completed, declined bool
}

var simOrgs = []string{"al-amal", "dock", "dok030", "gemeente", "buurtteam"}

func pick(rng *rand.Rand, weights []float64) int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

func (s simSpec) generate() *simCity {
	rng := rand.New(rand.NewPCG(s.seed, 0x5eed))
	c := &simCity{spec: s}
	for _, p := range s.programmes {
		c.layout.Programmes = append(c.layout.Programmes, ProgrammeLabel{Label: Label{Key: p.slug, NameNL: p.slug}, Organisation: p.org})
	}
	for i := range s.hoods {
		k := "buurt-" + strconv.Itoa(i+1)
		c.layout.Neighbourhoods = append(c.layout.Neighbourhoods, Label{Key: k, NameNL: k})
	}
	for i := range s.topics {
		k := "onderwerp-" + strconv.Itoa(i+1)
		c.layout.Topics = append(c.layout.Topics, Label{Key: k, NameNL: k})
	}
	weights := make([]float64, len(s.programmes))
	for i, p := range s.programmes {
		weights[i] = p.weight
	}
	span := s.end.Sub(s.start)
	at := func() time.Time { return s.start.Add(time.Duration(rng.Int64N(int64(span)))) }
	var seq int64
	contact := func(person int64, prog int, hood int64) ReachContact {
		seq++
		topics := []int64{int64(rng.IntN(s.topics))}
		if rng.IntN(3) == 0 {
			topics = append(topics, int64(rng.IntN(s.topics)))
		}
		return ReachContact{Seq: seq, Person: person, Programme: int64(prog + 1), At: at(), Hood: hood,
			Topics: topics, Helped: rng.IntN(2) == 0, Counted: true}
	}
	type member struct{ person, prog int }
	var members []member
	genders := []string{"", "vrouw", "man", "anders"}
	for i := range s.persons {
		p := simPerson{attrs: PersonAttrs{Gender: genders[pick(rng, []float64{2, 10, 9, 1})]}}
		switch rng.IntN(10) {
		case 0, 1:
		case 2:
			p.attrs.BirthYear = 1930 + rng.IntN(95)
		default:
			p.attrs.BirthDate = time.Date(1930+rng.IntN(95), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		}
		home := int64(pick(rng, s.hoods))
		progs := []int{pick(rng, weights)}
		if rng.Float64() < s.overlap {
			if other := pick(rng, weights); other != progs[0] {
				progs = append(progs, other)
			}
		}
		for _, k := range progs {
			p.contacts = append(p.contacts, contact(int64(i+1), k, home))
			members = append(members, member{i, k})
		}
		c.persons = append(c.persons, p)
	}
	for n := len(members); n < s.contacts; n++ {
		m := members[rng.IntN(len(members))]
		hood := c.persons[m.person].contacts[0].Hood
		if rng.IntN(4) == 0 {
			hood = int64(pick(rng, s.hoods))
		}
		if rng.IntN(20) == 0 {
			c.anonymous = append(c.anonymous, contact(0, m.prog, hood))
			continue
		}
		c.persons[m.person].contacts = append(c.persons[m.person].contacts, contact(int64(m.person+1), m.prog, hood))
	}
	for range s.handover {
		h := simHandover{from: pick(rng, weights), to: rng.IntN(len(simOrgs)), sent: at()}
		h.accepted = rng.IntN(10) < 7
		h.contacted = h.accepted && rng.IntN(10) < 8
		h.completed = h.contacted && rng.IntN(2) == 0
		h.declined = !h.accepted && rng.IntN(2) == 0
		c.handovers = append(c.handovers, h)
	}
	seenFlow := map[string]bool{}
	for _, h := range c.handovers {
		from, to := s.programmes[h.from].org, simOrgs[h.to]
		if k := FlowKey(from, to); !seenFlow[k] {
			seenFlow[k] = true
			c.layout.Flows = append(c.layout.Flows, FlowLabel{Label: Label{Key: k, NameNL: k}, From: from, To: to})
		}
	}
	slices.SortFunc(c.layout.Flows, func(a, b FlowLabel) int { return compareStrings(a.Key, b.Key) })
	return c
}

// countsAt returns the true counts of every period of year from the
// contacts and handovers that happened before t: the figures as they stood
// at t.
func (c *simCity) countsAt(year int, t time.Time) map[Period]ReachCounts {
	d := CounterDelta{}
	for _, p := range c.persons {
		var before []ReachContact
		for _, x := range p.contacts {
			if x.At.Before(t) && x.At.Year() == year {
				before = append(before, x)
			}
		}
		for k, f := range PersonFacts(before, func(int64) PersonAttrs { return p.attrs }) {
			d.Fact(k, f, 1)
		}
		for _, x := range before {
			d.Moments(x.Programme, x.At, 1)
		}
	}
	for _, x := range c.anonymous {
		if x.At.Before(t) && x.At.Year() == year {
			d.Moments(x.Programme, x.At, 1)
		}
	}
	periods := (Period{Year: year, Kind: Year}).Family()
	counts := CountsOf(d, periods, CounterNames{
		Programme: func(k int64) (string, bool) { return c.spec.programmes[k-1].slug, true },
		Hood:      func(k int64) string { return c.layout.Neighbourhoods[k].Key },
		Topic:     func(k int64) string { return c.layout.Topics[k].Key },
	})
	for _, h := range c.handovers {
		if !h.sent.Before(t) || h.sent.Year() != year {
			continue
		}
		flow := FlowKey(c.spec.programmes[h.from].org, simOrgs[h.to])
		for _, p := range PeriodsOf(h.sent) {
			for _, row := range []string{flow, AllProgrammes} {
				for col, on := range map[string]bool{HandoverMade: true, HandoverAccepted: h.accepted,
					HandoverContacted: h.contacted, HandoverCompleted: h.completed, HandoverDeclined: h.declined} {
					if on {
						counts[p][CellKey{MeasureHandover, row, col}]++
					}
				}
			}
		}
	}
	return counts
}

// demoLetterCity is the demo data plus contacts that reproduce the council
// letter's figures in 2026-Q3, with the demo's few contacts of Q4 up to
// 10 October: HOOP ~400 persons, Weggeefbus ~170, Buren Helpen Buren ~250,
// bewonersverbinders ~121, overlapping so that together they are ~820.
func demoLetterCity() *simCity {
	amsterdam := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, Amsterdam) }
	demo := simSpec{
		programmes: []simProgramme{{"hoop", "al-amal", 1}, {"weggeefbus", "dock", 1}, {"buren-helpen-buren", "dok030", 1},
			{"bewonersverbinders", "gemeente", 1}, {"buurtteam-overvecht", "buurtteam", 1}},
		hoods: []float64{1, 1, 1, 1, 0.05}, topics: 11, persons: 140, contacts: 330, overlap: 1.0 / 6,
		start: amsterdam(2026, 1, 8), end: amsterdam(2026, 10, 10), handover: 9, seed: 2024}
	c := demo.generate()
	letter := simSpec{programmes: demo.programmes[:4], hoods: []float64{3, 3, 4, 6, 0.6}, topics: 11, seed: 11,
		start: amsterdam(2026, 7, 1), end: amsterdam(2026, 10, 1)}
	// 820 persons: 700 in one programme, 120 in two; per programme
	// 400, 170, 250 and 121 persons (941 memberships).
	letter.programmes = []simProgramme{{"hoop", "al-amal", 400}, {"weggeefbus", "dock", 170},
		{"buren-helpen-buren", "dok030", 250}, {"bewonersverbinders", "gemeente", 121}}
	l := letter.generateExact(c, []int{400, 170, 250, 121}, 121)
	c.persons = append(c.persons, l...)
	return c
}

// generateExact adds persons to c in s's period so that programme i reaches
// exactly sizes[i] of them, with shared of them in two programmes.
func (s simSpec) generateExact(c *simCity, sizes []int, shared int) []simPerson {
	rng := rand.New(rand.NewPCG(s.seed, 7))
	var slots []int
	for i, n := range sizes {
		for range n {
			slots = append(slots, i)
		}
	}
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	total := len(slots) - shared
	progs := make([][]int, total)
	for i, k := range slots {
		j := i
		if i >= total {
			// Pair with an earlier person not yet in this programme.
			for j = rng.IntN(total); slices.Contains(progs[j], k) || len(progs[j]) > 1; j = (j + 1) % total {
			}
		}
		progs[j] = append(progs[j], k)
	}
	span := s.end.Sub(s.start)
	base := int64(len(c.persons) + 1_000_000)
	var out []simPerson
	genders := []string{"", "vrouw", "man", "anders"}
	for i, ps := range progs {
		p := simPerson{attrs: PersonAttrs{Gender: genders[pick(rng, []float64{2, 11, 8, 1})],
			BirthDate: time.Date(1940+rng.IntN(70), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)}}
		home := int64(pick(rng, s.hoods))
		for _, k := range ps {
			for range 1 + rng.IntN(3) {
				p.contacts = append(p.contacts, ReachContact{Seq: base*10 + int64(len(p.contacts)), Person: base + int64(i),
					Programme: int64(k + 1), At: s.start.Add(time.Duration(rng.Int64N(int64(span)))), Hood: home,
					Topics: []int64{int64(rng.IntN(s.topics))}, Helped: rng.IntN(3) > 0, Counted: true})
			}
		}
		out = append(out, p)
	}
	return out
}

// genCity is shaped like the gen command's city (cmd/internal/app/reachgen.go):
// 5 programmes, 12 neighbourhoods, two years from 2024, persons known to one
// programme mostly and to two or three sometimes. scale 1 is 200,000 persons
// and 1,000,000 contacts.
func genCity(scale float64) *simCity {
	s := simSpec{
		programmes: []simProgramme{{"hoop", "al-amal", 1}, {"weggeefbus", "dock", 1}, {"buren-helpen-buren", "dok030", 1},
			{"bewonersverbinders", "gemeente", 1}, {"buurtteam-overvecht", "buurtteam", 1}},
		hoods:   slices.Repeat([]float64{1}, 12),
		topics:  11,
		persons: int(200_000 * scale), contacts: int(1_000_000 * scale), overlap: 0.3,
		start: time.Date(2024, 1, 1, 0, 0, 0, 0, Amsterdam), end: time.Date(2026, 1, 1, 0, 0, 0, 0, Amsterdam),
		handover: int(20_000 * scale), seed: 1,
	}
	return s.generate()
}

// skewedCity has programmes and neighbourhoods of very different sizes.
func skewedCity() *simCity {
	s := simSpec{
		programmes: []simProgramme{{"hoop", "al-amal", 60}, {"weggeefbus", "dock", 12}, {"buren-helpen-buren", "dok030", 4},
			{"bewonersverbinders", "gemeente", 1}, {"buurtteam-overvecht", "buurtteam", 0.3}},
		hoods:   geometric(12, 0.55),
		topics:  11,
		persons: 6000, contacts: 15000, overlap: 0.15,
		start: time.Date(2024, 1, 1, 0, 0, 0, 0, Amsterdam), end: time.Date(2025, 1, 1, 0, 0, 0, 0, Amsterdam),
		handover: 600, seed: 5,
	}
	return s.generate()
}

func geometric(n int, ratio float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Pow(ratio, float64(i))
	}
	return out
}

func (c *simCity) String() string {
	return fmt.Sprintf("%d persons, %d programmes, %d neighbourhoods", len(c.persons), len(c.layout.Programmes), len(c.layout.Neighbourhoods))
}
