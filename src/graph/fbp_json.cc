// FBP JSON graph parser.
#include "graph/graph.h"

#include "core/text.h"

#include <algorithm>

namespace imgflo::graph {

namespace {

struct Location {
  size_t line = 1;
  size_t column = 1;
};

Location locate_offset(std::string_view text, size_t offset) {
  Location loc;
  offset = std::min(offset, text.size());
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

// Structural errors point at the first occurrence of the quoted member name,
// which is where a reader would look for it.
Location locate_member(std::string_view text, std::string_view member) {
  const std::string quoted = "\"" + std::string(member) + "\"";
  const size_t at = text.find(quoted);
  return locate_offset(text, at == std::string_view::npos ? 0 : at);
}

class JsonGraphParser {
 public:
  JsonGraphParser(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  Result<Graph> parse() {
    ojson doc;
    try {
      doc = ojson::parse(text_);
    } catch (const ojson::parse_error& e) {
      // e.byte is 1-based and points just past the offending character.
      const Location loc = locate_offset(text_, e.byte == 0 ? 0 : e.byte - 1);
      return fail(loc, std::string("invalid JSON: ") + syntax_message(e.what()));
    } catch (const ojson::exception& e) {  // out_of_range.406: a number like 1e999
      return fail({}, std::string("invalid JSON: ") + syntax_message(e.what()));
    }
    if (!doc.is_object()) return fail({}, "a graph must be a JSON object");

    Graph g;
    if (auto st = read_properties(doc, g); !st.ok()) return st.take_error();
    if (auto st = read_processes(doc, g); !st.ok()) return st.take_error();
    if (auto st = read_connections(doc, g); !st.ok()) return st.take_error();
    if (auto st = read_ports(doc, "inports", g.inports); !st.ok()) return st.take_error();
    if (auto st = read_ports(doc, "outports", g.outports); !st.ok()) return st.take_error();
    return g;
  }

 private:
  static std::string syntax_message(std::string what) {
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line 1, column 2: ".
    const size_t colon = what.find(": ");
    return colon == std::string::npos ? what : what.substr(colon + 2);
  }

  Error fail(Location loc, const std::string& message) const {
    return Error(ErrorKind::kGraphInvalid, std::string(source_) + ":" + std::to_string(loc.line) +
                                               ":" + std::to_string(loc.column) + ": " + message);
  }
  Error fail_at(std::string_view member, const std::string& message) const {
    return fail(locate_member(text_, member), message);
  }

  Status read_properties(const ojson& doc, Graph& g) {
    g.runtime = "imgflo";
    auto it = doc.find("properties");
    if (it == doc.end()) return ok_status();
    if (!it->is_object()) return fail_at("properties", "\"properties\" must be an object");
    g.properties = *it;
    auto env = it->find("environment");
    if (env != it->end() && env->is_object()) {
      auto type = env->find("type");
      if (type != env->end()) {
        if (!type->is_string()) return fail_at("environment", "environment.type must be a string");
        g.runtime = type->get<std::string>();
      }
    }
    return ok_status();
  }

  Status read_processes(const ojson& doc, Graph& g) {
    auto it = doc.find("processes");
    if (it == doc.end()) return ok_status();
    if (!it->is_object()) return fail_at("processes", "\"processes\" must be an object");
    for (const auto& [name, proc] : it->items()) {
      if (!proc.is_object()) return fail_at(name, "process \"" + name + "\" must be an object");
      auto comp = proc.find("component");
      if (comp == proc.end() || !comp->is_string() || comp->get<std::string>().empty()) {
        return fail_at(name, "process \"" + name + "\" has no component");
      }
      Process p{name, comp->get<std::string>(), ojson::object()};
      auto meta = proc.find("metadata");
      if (meta != proc.end() && meta->is_object()) p.metadata = *meta;
      g.processes.push_back(std::move(p));
    }
    return ok_status();
  }

  Result<Endpoint> read_endpoint(const ojson& conn, const char* which, size_t index) {
    const std::string where = "connection " + std::to_string(index) + " " + which;
    auto it = conn.find(which);
    if (it == conn.end() || !it->is_object()) return fail_at("connections", where + " is missing");
    auto proc = it->find("process");
    auto port = it->find("port");
    if (proc == it->end() || !proc->is_string() || port == it->end() || !port->is_string()) {
      return fail_at("connections", where + " needs string \"process\" and \"port\"");
    }
    return Endpoint{proc->get<std::string>(), port->get<std::string>()};
  }

  Status read_connections(const ojson& doc, Graph& g) {
    auto it = doc.find("connections");
    if (it == doc.end()) return ok_status();
    if (!it->is_array()) return fail_at("connections", "\"connections\" must be an array");
    size_t index = 0;
    for (const auto& conn : *it) {
      if (!conn.is_object()) return fail_at("connections", "connection " + std::to_string(index) + " must be an object");
      Connection c;
      auto tgt = read_endpoint(conn, "tgt", index);
      if (!tgt.ok()) return tgt.take_error();
      c.tgt = std::move(*tgt);
      if (conn.contains("src")) {
        auto src = read_endpoint(conn, "src", index);
        if (!src.ok()) return src.take_error();
        c.src = std::move(*src);
      } else if (conn.contains("data")) {
        c.data = conn["data"];
        if (!(c.data.is_string() || c.data.is_number() || c.data.is_boolean())) {
          return fail_at("connections", "connection " + std::to_string(index) +
                                            " data must be a string, number or boolean");
        }
      } else {
        return fail_at("connections", "connection " + std::to_string(index) + " has neither src nor data");
      }
      g.connections.push_back(std::move(c));
      ++index;
    }
    return ok_status();
  }

  Status read_ports(const ojson& doc, const char* member, std::vector<ExportedPort>& out) {
    auto it = doc.find(member);
    if (it == doc.end()) return ok_status();
    if (!it->is_object()) return fail_at(member, std::string("\"") + member + "\" must be an object");
    for (const auto& [name, port] : it->items()) {
      auto proc = port.find("process");
      auto p = port.find("port");
      if (!port.is_object() || proc == port.end() || !proc->is_string() || p == port.end() ||
          !p->is_string()) {
        return fail_at(name, std::string(member) + " \"" + name + "\" needs string \"process\" and \"port\"");
      }
      ExportedPort ep{name, {proc->get<std::string>(), p->get<std::string>()}, ojson::object()};
      auto meta = port.find("metadata");
      if (meta != port.end() && meta->is_object()) ep.metadata = *meta;
      out.push_back(std::move(ep));
    }
    return ok_status();
  }

  std::string_view text_;
  std::string_view source_;
};

}  // namespace

Result<Graph> parse_json_graph(std::string_view text, std::string_view source) {
  if (const size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    const Location loc = locate_offset(text, bad);
    return Error(ErrorKind::kGraphInvalid, std::string(source) + ":" + std::to_string(loc.line) + ":" +
                                               std::to_string(loc.column) + ": not valid UTF-8");
  }
  return JsonGraphParser(text, source).parse();
}

}  // namespace imgflo::graph
