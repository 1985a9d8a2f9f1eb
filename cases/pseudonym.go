package cases

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// dutchPrefixes are tussenvoegsels: written before or after the family name
// ("van der Berg", "Berg, van der", "Van Der Berg") and left out when matching.
var dutchPrefixes = map[string]bool{
	"van": true, "von": true, "der": true, "den": true, "de": true, "het": true,
	"'t": true, "t": true, "ter": true, "ten": true, "te": true, "in": true,
	"op": true, "onder": true, "over": true, "uit": true, "aan": true, "bij": true,
	"d'": true, "la": true, "le": true, "du": true, "da": true, "di": true,
}

// NormaliseFamilyName maps spellings of one family name to one key:
//   - accents are removed and letters lower-cased ("Çelik" → "celik");
//   - a part after a comma is the prefix written last ("Berg, van der");
//   - leading Dutch prefixes are dropped as whole words ("van der", "'t");
//   - everything but letters and digits is dropped (spaces, hyphens, dots),
//     so "El Amrani", "el-amrani" and "Elamrani" agree.
//
// Prefixes glued to the name ("Vanderberg") are kept: they cannot be told
// apart from names that merely start with those letters.
func NormaliseFamilyName(name string) string {
	folded := strings.ToLower(strings.TrimSpace(FoldAccents(name)))
	folded = strings.ReplaceAll(folded, "’", "'")
	if main, _, found := strings.Cut(folded, ","); found {
		folded = main
	}
	words := strings.Fields(folded)
	for len(words) > 1 && dutchPrefixes[words[0]] {
		words = words[1:]
	}
	var b strings.Builder
	for _, w := range words {
		for _, r := range w {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// Pseudonym is the keyed pseudonym that links records of one person across
// organisations: HMAC-SHA256 under the deployment secret over the normalised
// family name and the date of birth. It is empty when either is missing or
// the name normalises to nothing: such a record counts as its own person.
func Pseudonym(secret []byte, familyName, birthDate string) string {
	norm := NormaliseFamilyName(familyName)
	if norm == "" || birthDate == "" {
		return ""
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("buurtbrug/person/v1\x00" + norm + "\x00" + birthDate))
	return hex.EncodeToString(mac.Sum(nil))
}

// FoldAccents removes diacritics ("é" → "e") for matching and search, and
// spells letters that Unicode does not decompose the way a Dutch keyboard
// would ("Yılmaz" → "Yilmaz", "Ødegaard" → "Odegaard").
func FoldAccents(s string) string {
	folded, _, err := transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC), s)
	if err != nil {
		return s
	}
	return undecomposed.Replace(folded)
}

var undecomposed = strings.NewReplacer("ı", "i", "ø", "o", "Ø", "O", "ł", "l", "Ł", "L", "đ", "d", "Đ", "D",
	"ð", "d", "Ð", "D", "ß", "ss", "æ", "ae", "Æ", "Ae", "œ", "oe", "Œ", "Oe", "þ", "th", "Þ", "Th")
