// Ansible's toml inventory format: groups with hosts, vars and children, as the yaml one. The
// document is read by the controller's Python with tomllib, the parser Ansible's plugin uses, so
// TOML's rules, the document's order (hosts run in it) and each error's wording are tomllib's;
// the plugin's own checks and warnings are here. tomllib's keys carry no origin: 2.19 shows the
// key itself where it names one.
import OrderedCollections
import Values

enum TOMLSource {
    /// Reads TOML from stdin and prints `{"data": …}` or `{"error": …}`. Dates and times have no
    /// JSON form: they come as `{"__swansible_toml__": kind, …}` with their numbers.
    static let reader = """
        import datetime, json, sys
        try:
            import tomllib
        except ImportError:
            import tomli as tomllib
        def tagged(o):
            if isinstance(o, datetime.datetime):
                offset = o.utcoffset()
                epoch = o.timestamp() if offset is not None else o.replace(tzinfo=datetime.timezone.utc).timestamp()
                return {'__swansible_toml__': 'datetime', 'epoch': epoch, 'offset': None if offset is None else int(offset.total_seconds())}
            if isinstance(o, datetime.date):
                return {'__swansible_toml__': 'date', 'days': (o - datetime.date(1970, 1, 1)).days}
            if isinstance(o, datetime.time):
                return {'__swansible_toml__': 'time', 'seconds': o.hour * 3600 + o.minute * 60 + o.second + o.microsecond / 1e6}
            raise TypeError(type(o).__name__)
        try:
            data = tomllib.loads(sys.stdin.buffer.read().decode('utf-8', 'surrogateescape'))
        except tomllib.TOMLDecodeError as e:
            print(json.dumps({'error': str(e)}))
        else:
            print(json.dumps({'data': data}, default=tagged))
        """

    static let tag: Value = "__swansible_toml__"

    static func parse(_ path: String, text: [UInt8], python: String, into inv: InventoryData) throws {
        let result: Subprocess.Result
        do { result = try Subprocess.run([python, "-c", reader], input: text) } catch {
            throw InventoryError("An error occurred while parsing the file \(Value.string(path).pythonRepr): the controller's Python \(python) did not start: \(error)")
        }
        let reply = try? Value.parseJSON(String(decoding: result.stdout, as: UTF8.self))
        if let message = reply?["error"]?.stringValue {
            throw InventoryError("TOML file \(Value.string(path).pythonRepr) is invalid: \(message)")
        }
        guard result.status == 0, case .dict(let data)? = reply?["data"].map(dates) else {
            let why = String(decoding: result.stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit status \(result.status)"
            throw InventoryError("An error occurred while parsing the file \(Value.string(path).pythonRepr): \(why)")
        }
        if data.isEmpty { throw InventoryError("Parsed empty TOML file") }
        if data["plugin"]?.truthy == true { throw InventoryError("Plugin configuration TOML file, not TOML inventory") }
        for (name, body) in data { try group(name.pythonStr, body, inv) }
    }

    /// TOML's offset and local datetimes, dates and times, as tomllib gives them to Ansible.
    static func dates(_ v: Value) -> Value {
        switch v {
        case .dict(let d):
            if let kind = d[tag]?.stringValue {
                let number = (d["epoch"] ?? d["seconds"])?.number ?? 0
                switch kind {
                case "date": return .date(d["days"]?.intValue ?? 0)
                case "time": return .time(number)
                default: return d["offset"]?.intValue.map { .zonedDatetime(number, offset: $0) } ?? .datetime(number)
                }
            }
            return .dict(d.mapValues(dates))
        case .list(let l): return .list(l.map(dates))
        default: return v
        }
    }

    /// InventoryModule._parse_group: `vars`, `children` and `hosts`, anything else warned about.
    static func group(_ name: String, _ body: Value?, _ inv: InventoryData) throws {
        guard let body else { _ = inv.addGroup(name); return }
        guard case .dict(let sections) = body else {
            Inventory.say(.warning("Skipping '\(name)' as this is not a valid group definition"))
            return
        }
        let name = inv.addGroup(name).name
        for (key, data) in sections {
            switch key.pythonStr {
            case "vars":
                guard case .dict(let vars) = data else { throw invalid("vars", name, "a dict", data) }
                for (k, v) in vars { inv.setVariable(name, k, v, keyOrigin: .unknown(showing: k.pythonStr)) }
            case "children":
                guard case .list(let children) = data else { throw invalid("children", name, "a list", data) }
                for c in children {
                    try group(c.pythonStr, .dict([:]), inv)
                    inv.addChild(name, c.pythonStr)
                }
            case "hosts":
                guard case .dict(let hosts) = data else { throw invalid("hosts", name, "a dict", data) }
                for (pattern, value) in hosts {
                    let (hostPattern, port) = HostRange.splitPort(pattern.pythonStr)
                    let names = try HostRange.expand(hostPattern)
                    guard case .dict(let vars) = value else {
                        throw InventoryError("Invalid data from file, expected dictionary and got:\n\n\(value.pythonStr)")
                    }
                    for hn in names {
                        let host = inv.addHost(hn, group: name)
                        if let port { host.vars["ansible_port"] = .int(port) }
                        for (k, v) in vars { inv.setVariable(hn, k, v, keyOrigin: .unknown(showing: k.pythonStr)) }
                    }
                }
            default:
                Inventory.say(.warning("Skipping unexpected key \"\(key.pythonStr)\" in group \"\(name)\", only \"vars\", \"children\" and \"hosts\" are valid"))
            }
        }
    }

    static func invalid(_ key: String, _ group: String, _ wanted: String, _ found: Value) -> InventoryError {
        InventoryError("Invalid \"\(key)\" entry for \"\(group)\" group, requires \(wanted), found \"\(pythonType(found))\" instead.")
    }

    /// `type(value)` of what tomllib gives.
    static func pythonType(_ v: Value) -> String {
        switch v {
        case .bool: return "<class 'bool'>"
        case .int, .bigInt: return "<class 'int'>"
        case .float: return "<class 'float'>"
        case .list: return "<class 'list'>"
        case .dict: return "<class 'dict'>"
        case .datetime, .zonedDatetime: return "<class 'datetime.datetime'>"
        case .date: return "<class 'datetime.date'>"
        case .time: return "<class 'datetime.time'>"
        default: return "<class 'str'>"
        }
    }
}
