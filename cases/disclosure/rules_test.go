package disclosure

import "testing"

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		rules Rules
		ok    bool
	}{
		{"defaults", DefaultRules(), true},
		{"minimum threshold", Rules{Threshold: 5, RoundingBase: 1}, true},
		{"threshold below 5", Rules{Threshold: 4, RoundingBase: 5}, false},
		{"zero value", Rules{}, false},
		{"rounding base 0", Rules{Threshold: 10, RoundingBase: 0}, false},
		{"negative rounding base", Rules{Threshold: 10, RoundingBase: -5}, false},
	}
	for _, tt := range tests {
		if err := tt.rules.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestRound(t *testing.T) {
	tests := []struct {
		rules       Rules
		count, want int
	}{
		{DefaultRules(), 0, 0},
		{DefaultRules(), 10, 10},
		{DefaultRules(), 12, 10},
		{DefaultRules(), 13, 15},
		{DefaultRules(), 468, 470},
		{DefaultRules(), 1, 10}, // a non-zero count never rounds to 0
		{Rules{Threshold: 10, RoundingBase: 10}, 15, 20},
		{Rules{Threshold: 10, RoundingBase: 1}, 13, 13},
		{Rules{Threshold: 12, RoundingBase: 5}, 12, 15}, // never shown below the threshold
	}
	for _, tt := range tests {
		if got := tt.rules.round(tt.count); got != tt.want {
			t.Errorf("%+v.round(%d) = %d, want %d", tt.rules, tt.count, got, tt.want)
		}
	}
}
