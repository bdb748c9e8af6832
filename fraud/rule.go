package fraud

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/kessai/kessai"
)

// MaxRuleLength bounds a rule's source, in bytes.
const MaxRuleLength = 1000

// maxNodes bounds a compiled condition's syntax tree.
const maxNodes = 200

// Compiled is a rule compiled once, when saved: its action, its program and
// the presence bits of the attributes it names.
type Compiled struct {
	Source    string
	Action    kessai.FraudAction
	Condition string
	program   *vm.Program
	needs     uint64
}

// actions are the rule actions by the word that starts a rule.
var actions = map[string]kessai.FraudAction{
	"allow": kessai.FraudAllow, "block": kessai.FraudBlock, "review": kessai.FraudReview,
	"request_3ds": kessai.FraudRequest3DS,
}

// Compile parses a rule "ACTION if CONDITION". The condition is an expr
// expression over the attributes of [Env] that must be a boolean; Radar's
// ":name:" spelling of attributes is accepted. Errors are EBadRequest with
// a message naming the line and column (counted in the whole rule).
func Compile(rule string) (*Compiled, error) {
	if len(rule) > MaxRuleLength {
		return nil, kessai.Errorf(kessai.EBadRequest, "rule is too long (at most %d bytes)", MaxRuleLength)
	}
	src := strings.TrimSpace(rule)
	word, rest, _ := strings.Cut(src, " ")
	act, ok := actions[strings.ToLower(word)]
	if !ok {
		return nil, kessai.Errorf(kessai.EBadRequest, "rule must start with an action: block, review, request_3ds or allow (line 1, column 1)")
	}
	rest = strings.TrimLeft(rest, " \t")
	kw, cond, _ := strings.Cut(rest, " ")
	if !strings.EqualFold(kw, "if") || strings.TrimSpace(cond) == "" {
		return nil, kessai.Errorf(kessai.EBadRequest, "rule must read \"%s if CONDITION\" (line 1, column %d)", strings.ToLower(word), len(word)+2)
	}
	// offset is where the condition starts in the rule, so that positions
	// are reported in the rule the user wrote.
	offset := len(src) - len(cond)
	p, err := expr.Compile(radarColons(cond), expr.Env(Env{}), expr.AsBool(), expr.MaxNodes(maxNodes), expr.DisableAllBuiltins(),
		expr.EnableBuiltin("len"), expr.EnableBuiltin("lower"), expr.EnableBuiltin("upper"),
		expr.EnableBuiltin("hasPrefix"), expr.EnableBuiltin("hasSuffix"))
	if err != nil {
		return nil, compileError(err, offset)
	}
	c := &Compiled{Source: src, Action: act, Condition: cond, program: p}
	var v identVisitor
	node := p.Node()
	ast.Walk(&node, &v)
	for _, name := range v.names {
		if b, ok := attrBits[name]; ok {
			c.needs |= 1 << b
		}
	}
	return c, nil
}

type identVisitor struct{ names []string }

func (v *identVisitor) Visit(n *ast.Node) {
	if id, ok := (*n).(*ast.IdentifierNode); ok {
		v.names = append(v.names, id.Value)
	}
}

// radarColons turns ":name:" into " name " (same length, so positions hold)
// outside string literals.
func radarColons(s string) string {
	b := []byte(s)
	var quote byte
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == ':':
			j := i + 1
			for j < len(b) && (b[j] == '_' || unicode.IsLetter(rune(b[j])) || unicode.IsDigit(rune(b[j]))) {
				j++
			}
			if j > i+1 && j < len(b) && b[j] == ':' {
				b[i], b[j] = ' ', ' '
				i = j
			}
		}
	}
	return string(b)
}

// compileError turns an expr error into a 400 naming line and column in the
// rule; the condition starts at byte offset of the rule's only line when
// it has one line.
func compileError(err error, offset int) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		line, col := fe.Line, fe.Column+1
		if line <= 1 {
			line, col = 1, fe.Column+1+offset
		}
		msg := fe.Message
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return &kessai.Error{Code: kessai.EBadRequest, Message: fmt.Sprintf("rule does not compile: %s (line %d, column %d)", msg, line, col), Err: err}
	}
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	return &kessai.Error{Code: kessai.EBadRequest, Message: fmt.Sprintf("rule does not compile: %s (line 1, column %d)", msg, offset+1), Err: err}
}

// Match reports whether the condition holds for e; false when an attribute
// it names is missing. v is a VM the caller owns.
func (c *Compiled) Match(m *vm.VM, e *Env) bool {
	if !e.has(c.needs) {
		return false
	}
	out, err := m.Run(c.program, e)
	if err != nil {
		return false
	}
	b, _ := out.(bool)
	return b
}
