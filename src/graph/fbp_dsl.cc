// Parser for the .fbp DSL subset used by imgflo graphs.
//
// Grammar (statements end at a newline or ','):
//   statement := export | chain
//   export    := ("INPORT" | "OUTPORT") "=" NODE "." PORT ":" NAME
//   chain     := source ("->" PORT node [PORT])*      (the last target has no PORT)
//              | node                                 (declaration only)
//   source    := IIP | node PORT
//   node      := NAME [ "(" COMPONENT [":" META] ")" ]
//   IIP       := "'" characters, \' escapes a quote "'"
// Comments run from '#' to the end of the line.
#include "graph/graph.h"

#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace imgflo::graph {

namespace {

enum class Tok { kWord, kIip, kArrow, kLParen, kRParen, kColon, kDot, kEquals, kEnd, kEndOfFile };

struct Token {
  Tok kind;
  std::string text;
  size_t line;
  size_t column;
};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/' || c == '$';
}

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Result<std::vector<Token>> run() {
    std::vector<Token> out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      const size_t line = line_, col = col_;
      if (c == '\n' || c == ',') {
        out.push_back({Tok::kEnd, "", line, col});
        advance();
      } else if (c == ' ' || c == '\t' || c == '\r') {
        advance();
      } else if (c == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') advance();
      } else if (c == '\'') {
        auto iip = read_iip();
        if (!iip.ok()) return iip.take_error();
        out.push_back({Tok::kIip, std::move(*iip), line, col});
      } else if (c == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '>') {
        advance();
        advance();
        out.push_back({Tok::kArrow, "->", line, col});
      } else if (c == '(' || c == ')' || c == ':' || c == '.' || c == '=') {
        static const std::map<char, Tok> kinds = {{'(', Tok::kLParen}, {')', Tok::kRParen},
                                                  {':', Tok::kColon},  {'.', Tok::kDot},
                                                  {'=', Tok::kEquals}};
        out.push_back({kinds.at(c), std::string(1, c), line, col});
        advance();
      } else if (is_word_char(c)) {
        std::string word;
        while (pos_ < text_.size() && is_word_char(text_[pos_])) {
          // "a->b" without spaces: stop a word before an arrow.
          if (text_[pos_] == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '>') break;
          word += text_[pos_];
          advance();
        }
        out.push_back({Tok::kWord, std::move(word), line, col});
      } else {
        return error(line, col, std::string("unexpected character '") + c + "'");
      }
    }
    out.push_back({Tok::kEnd, "", line_, col_});
    out.push_back({Tok::kEndOfFile, "", line_, col_});
    return out;
  }

  Error error(size_t line, size_t col, const std::string& msg) const {
    return Error(ErrorKind::kGraphInvalid, std::string(source_) + ":" + std::to_string(line) + ":" +
                                               std::to_string(col) + ": " + msg);
  }

 private:
  void advance() {
    if (text_[pos_] == '\n') {
      ++line_;
      col_ = 1;
    } else {
      ++col_;
    }
    ++pos_;
  }

  Result<std::string> read_iip() {
    const size_t line = line_, col = col_;
    advance();  // opening quote
    std::string value;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\'') {
        value += '\'';
        advance();
        advance();
      } else if (c == '\'') {
        advance();
        return value;
      } else {
        value += c;
        advance();
      }
    }
    return error(line, col, "unterminated IIP string");
  }

  std::string_view text_;
  std::string_view source_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t col_ = 1;
};

class DslParser {
 public:
  DslParser(std::vector<Token> tokens, const Lexer& lexer) : toks_(std::move(tokens)), lexer_(lexer) {}

  Result<Graph> parse() {
    graph_.runtime = "imgflo";
    while (peek().kind != Tok::kEndOfFile) {
      if (peek().kind == Tok::kEnd) {
        ++pos_;
        continue;
      }
      Status st = (peek().kind == Tok::kWord && (peek().text == "INPORT" || peek().text == "OUTPORT") &&
                   peek(1).kind == Tok::kEquals)
                      ? parse_export()
                      : parse_chain();
      if (!st.ok()) return st.take_error();
    }
    return std::move(graph_);
  }

 private:
  const Token& peek(size_t ahead = 0) const { return toks_[std::min(pos_ + ahead, toks_.size() - 1)]; }

  Error unexpected(const Token& t, const std::string& wanted) const {
    std::string got = t.kind == Tok::kEnd ? "end of statement"
                      : t.kind == Tok::kEndOfFile ? "end of file"
                                                  : "'" + t.text + "'";
    return lexer_.error(t.line, t.column, "expected " + wanted + ", got " + got);
  }

  Result<std::string> expect(Tok kind, const std::string& wanted) {
    const Token& t = peek();
    if (t.kind != kind) return unexpected(t, wanted);
    ++pos_;
    return t.text;
  }

  // INPORT=node.PORT:NAME
  Status parse_export() {
    const bool in = peek().text == "INPORT";
    pos_ += 2;
    auto node = expect(Tok::kWord, "a node name");
    if (!node.ok()) return node.take_error();
    if (auto d = expect(Tok::kDot, "'.'"); !d.ok()) return d.take_error();
    auto port = expect(Tok::kWord, "a port name");
    if (!port.ok()) return port.take_error();
    if (auto c = expect(Tok::kColon, "':'"); !c.ok()) return c.take_error();
    auto name = expect(Tok::kWord, "an exported port name");
    if (!name.ok()) return name.take_error();
    if (peek().kind != Tok::kEnd) return unexpected(peek(), "end of statement");
    ExportedPort ep{ascii_lower(*name), {*node, ascii_lower(*port)}, ojson::object()};
    (in ? graph_.inports : graph_.outports).push_back(std::move(ep));
    return ok_status();
  }

  // NAME [ "(" COMPONENT [":" META] ")" ]; declares the process on first sight.
  Result<std::string> parse_node() {
    const Token name_tok = peek();
    auto name = expect(Tok::kWord, "a node name");
    if (!name.ok()) return name.take_error();
    if (peek().kind != Tok::kLParen) return *name;
    ++pos_;
    auto component = expect(Tok::kWord, "a component name");
    if (!component.ok()) return component.take_error();
    if (peek().kind == Tok::kColon) {  // node metadata, ignored
      ++pos_;
      while (peek().kind == Tok::kWord || peek().kind == Tok::kColon || peek().kind == Tok::kEquals ||
             peek().kind == Tok::kDot)
        ++pos_;
    }
    if (auto r = expect(Tok::kRParen, "')'"); !r.ok()) return r.take_error();
    if (const Process* existing = graph_.find_process(*name)) {
      if (existing->component != *component) {
        return lexer_.error(name_tok.line, name_tok.column,
                            "node \"" + *name + "\" declared as both " + existing->component + " and " +
                                *component);
      }
    } else {
      graph_.processes.push_back({*name, *component, ojson::object()});
    }
    return *name;
  }

  Result<std::string> parse_port() {
    auto port = expect(Tok::kWord, "a port name");
    if (!port.ok()) return port.take_error();
    return ascii_lower(*port);
  }

  Status parse_chain() {
    std::optional<Endpoint> src;
    std::optional<ojson> iip;
    if (peek().kind == Tok::kIip) {
      iip = ojson(peek().text);
      ++pos_;
    } else {
      auto node = parse_node();
      if (!node.ok()) return node.take_error();
      if (peek().kind == Tok::kEnd) return ok_status();  // a lone declaration: "node(Component)"
      auto port = parse_port();
      if (!port.ok()) return port.take_error();
      src = Endpoint{*node, *port};
    }
    if (peek().kind != Tok::kArrow) return unexpected(peek(), "'->'");
    while (peek().kind == Tok::kArrow) {
      ++pos_;
      auto in_port = parse_port();
      if (!in_port.ok()) return in_port.take_error();
      auto node = parse_node();
      if (!node.ok()) return node.take_error();
      Connection c;
      c.tgt = Endpoint{*node, *in_port};
      if (src) {
        c.src = src;
      } else {
        c.data = *iip;
      }
      graph_.connections.push_back(std::move(c));
      if (peek().kind == Tok::kWord) {  // "OUT ->" continues the chain from this node
        auto out_port = parse_port();
        if (!out_port.ok()) return out_port.take_error();
        src = Endpoint{*node, *out_port};
        if (peek().kind != Tok::kArrow) return unexpected(peek(), "'->'");
      }
    }
    if (peek().kind != Tok::kEnd) return unexpected(peek(), "end of statement");
    return ok_status();
  }

  std::vector<Token> toks_;
  const Lexer& lexer_;
  size_t pos_ = 0;
  Graph graph_;
};

}  // namespace

Result<Graph> parse_fbp_graph(std::string_view text, std::string_view source) {
  if (const size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    return Error(ErrorKind::kGraphInvalid,
                 std::string(source) + ": not valid UTF-8 (byte " + std::to_string(bad) + ")");
  }
  Lexer lexer(text, source);
  auto tokens = lexer.run();
  if (!tokens.ok()) return tokens.take_error();
  return DslParser(std::move(*tokens), lexer).parse();
}

}  // namespace imgflo::graph
