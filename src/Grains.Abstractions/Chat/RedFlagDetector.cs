namespace HealthActors.Grains.Abstractions.Chat;

/// <summary>
/// Matches <see cref="RedFlagKnowledge"/> against folded text as a sequence of words rather than as one string,
/// so an expression survives inflection (word stems), words in between and word order (a symptom within a few
/// words of its body part), and a plain denial ("no chest pain", "sin dificultad para respirar") is not an alarm.
/// Every rule is compiled once into a word index; a message is tokenised once, each word looked up, and only the
/// rules its words trigger are tried, so the cost grows with the length of the message, not with the number of rules.
/// </summary>
public static class RedFlagDetector
{
    /// <summary>Fever under this age (days) is an emergency on its own: infants hide sepsis behind a fever.</summary>
    public const int InfantAgeLimitDays = 90;

    private const int NegationLookBack = 4;

    /// <summary>A word, its sentence and clause, and its rank: how many content words precede it.</summary>
    private sealed record Token(string Word, int Sentence, int Clause, int Rank);

    /// <summary>One word alternative: a whole word, or a stem ending in '*' that any longer word may start with.</summary>
    private sealed class Term(string text)
    {
        public string Text { get; } = text.TrimEnd('*');
        public bool IsPrefix { get; } = text.EndsWith('*');
        public int Id { get; set; }
    }

    private sealed record CompiledRule(string Category, string Language, int[][] Groups, int Span, bool Ordered, bool Idiom);

    private static readonly Dictionary<string, Term> Exact = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Term> Prefixes = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Term>.AlternateLookup<ReadOnlySpan<char>> PrefixLookup = Prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly List<Term> Terms = [];
    private static readonly CompiledRule[] Rules;
    /// <summary>
    /// For each term, the indexes (ascending) of the rules whose trigger group holds it. A rule occurs only when every
    /// one of its groups has a hit, so a message needs to be matched only against the rules one of its words triggers.
    /// </summary>
    private static readonly int[][] RulesByTerm;
    private static readonly CompiledRule[] Suppressors;
    private static readonly CompiledRule[] FeverRules;
    private static readonly HashSet<string> NegationCues = new(RedFlagKnowledge.NegationCues, StringComparer.Ordinal);
    private static readonly HashSet<string> NegationReleases = new(RedFlagKnowledge.NegationReleases, StringComparer.Ordinal);
    private static readonly HashSet<string> ScopeEnds = new(RedFlagKnowledge.ScopeEnds, StringComparer.Ordinal);
    private static readonly HashSet<string> FollowingCues = new(RedFlagKnowledge.FollowingCues, StringComparer.Ordinal);
    private static readonly HashSet<string> PresentCues = new(RedFlagKnowledge.PresentCues, StringComparer.Ordinal);

    static RedFlagDetector()
    {
        Rules = RedFlagKnowledge.Categories
            .SelectMany(c => c.English.Select(r => Compile(c.Id, "en", r)).Concat(c.Spanish.Select(r => Compile(c.Id, "es", r))))
            .ToArray();
        Suppressors = RedFlagKnowledge.PastOrResolved.Select(r => Compile("", "", r)).ToArray();
        FeverRules = RedFlagKnowledge.Fever.Select(r => Compile(RedFlagCategories.InfantFever, "", r)).ToArray();
        var byTerm = new List<int>[Terms.Count];
        for (var r = 0; r < Rules.Length; r++)
            foreach (var id in Trigger(Rules[r]))
                (byTerm[id] ??= []).Add(r);
        RulesByTerm = byTerm.Select(list => list?.ToArray() ?? []).ToArray();
    }

    /// <summary>The group with the fewest alternatives: any group would do, a narrow one makes fewer candidates.</summary>
    private static int[] Trigger(CompiledRule rule) => rule.Groups.Length == 0 ? [] : rule.Groups.MinBy(g => g.Length)!;

    private static CompiledRule Compile(string category, string language, RedFlagRule rule)
    {
        var groups = rule.Pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(g => Expand(g).Select(Intern).Distinct().ToArray())
            .ToArray();
        return new CompiledRule(category, language, groups, rule.Span ?? groups.Length + 1, rule.Ordered, rule.Idiom);
    }

    private static IEnumerable<string> Expand(string group) => group.Split('|', StringSplitOptions.RemoveEmptyEntries)
        .SelectMany(a => a.StartsWith('@')
            ? Expand(RedFlagKnowledge.Concepts.TryGetValue(a[1..], out var concept) ? concept : throw new InvalidOperationException("Unknown red-flag concept " + a))
            : [a]);

    private static int Intern(string alternative)
    {
        var table = alternative.EndsWith('*') ? Prefixes : Exact;
        var key = alternative.TrimEnd('*');
        if (!table.TryGetValue(key, out var term))
        {
            term = new Term(alternative) { Id = Terms.Count };
            Terms.Add(term);
            table[key] = term;
        }
        return term.Id;
    }

    private static readonly Dictionary<string, int> Specificity =
        RedFlagCategories.MostSpecificFirst.Select((kind, rank) => (kind, rank)).ToDictionary(x => x.kind, x => x.rank);

    /// <summary>Every category whose expressions occur in the text, undenied, most specific first (<see cref="RedFlagCategories.MostSpecificFirst"/>).</summary>
    public static IReadOnlyList<RedFlagMatch> Match(string text, int? ageInDays = null)
    {
        var tokens = Tokenize(RedFlags.Fold(text));
        var positions = Locate(tokens, out var hits);
        var found = new List<RedFlagMatch>();
        var resolved = new Dictionary<int, bool>();
        // Body-part and symptom concepts are shared by both languages, so which rule fired does not tell the
        // patient's language; the message's common words do, and the rule decides only when they are silent.
        var language = GuessLanguage(tokens);
        // In the rules' own order, which decides the language of a category's first match.
        foreach (var r in Candidates(hits))
        {
            var rule = Rules[r];
            if (found.Exists(f => f.Kind == rule.Category)) continue;
            if (Occurs(rule, tokens, positions, resolved)) found.Add(new RedFlagMatch(rule.Category, language ?? rule.Language));
        }
        var age = InfantAgeFromText(tokens) ?? ageInDays;
        if (age is >= 0 and < InfantAgeLimitDays && !found.Exists(f => f.Kind == RedFlagCategories.InfantFever))
            foreach (var rule in FeverRules)
                if (Occurs(rule, tokens, positions, resolved)) { found.Add(new RedFlagMatch(RedFlagCategories.InfantFever, language ?? (rule.Groups.Length > 0 && FeverRules[1] == rule ? "es" : "en"))); break; }
        if (found.Count > 1) found = [.. found.OrderBy(f => Specificity[f.Kind])];
        return found;
    }

    private static List<Token> Tokenize(string folded)
    {
        var tokens = new List<Token>();
        int sentence = 0, clause = 0, rank = 0;
        var word = new System.Text.StringBuilder();
        void Flush()
        {
            if (word.Length == 0) return;
            var w = word.ToString();
            tokens.Add(new Token(w, sentence, clause, rank));
            // Articles, possessives and prepositions do not widen the distance between a symptom and its body part:
            // "pain in the center of my chest" is as close as "chest pain".
            if (!RedFlagKnowledge.FillerWords.Contains(w)) rank++;
            word.Clear();
        }
        for (var i = 0; i < folded.Length; i++)
        {
            var c = folded[i];
            if (char.IsLetterOrDigit(c)) { word.Append(c); continue; }
            // "can't" is one word to the rules, and so is the phone spelling "cant".
            if (c is '\'' or '`' or '\u00b4' && word.Length > 0 && i + 1 < folded.Length && char.IsLetter(folded[i + 1])) continue;
            // "38.5" stays one number; a full stop between words ends a sentence.
            if (c is '.' or ',' && word.Length > 0 && char.IsDigit(word[^1]) && i + 1 < folded.Length && char.IsDigit(folded[i + 1])) { word.Append('.'); continue; }
            Flush();
            switch (c)
            {
                case '.' or '!' or '?' or ';' or '\n' or '¿' or '¡': sentence++; clause++; break;
                case ',' or ':' or '(' or ')' or '-' when c != '-' || i + 1 >= folded.Length || folded[i + 1] == ' ': clause++; break;
            }
        }
        Flush();
        return tokens;
    }

    /// <summary>The rules the message's terms trigger, each once, in ascending order.</summary>
    private static List<int> Candidates(List<int> hits)
    {
        var candidates = new List<int>();
        foreach (var id in hits) candidates.AddRange(RulesByTerm[id]);
        if (candidates.Count < 2) return candidates;
        candidates.Sort();
        var distinct = 1;
        for (var i = 1; i < candidates.Count; i++)
            if (candidates[i] != candidates[distinct - 1]) candidates[distinct++] = candidates[i];
        candidates.RemoveRange(distinct, candidates.Count - distinct);
        return candidates;
    }

    /// <summary>For each term, the positions of the words it matches; <paramref name="hits"/> lists the terms with any.</summary>
    private static List<int>?[] Locate(List<Token> tokens, out List<int> hits)
    {
        var positions = new List<int>?[Terms.Count];
        var found = hits = [];
        void Add(Term term, int at)
        {
            if (positions[term.Id] is null) found.Add(term.Id);
            (positions[term.Id] ??= []).Add(at);
        }
        for (var i = 0; i < tokens.Count; i++)
        {
            var word = tokens[i].Word;
            if (Exact.TryGetValue(word, out var exact)) Add(exact, i);
            for (var length = 2; length <= word.Length; length++)
                if (PrefixLookup.TryGetValue(word.AsSpan(0, length), out var prefix)) Add(prefix, i);
        }
        return positions;
    }

    /// <summary>The sorted positions of the words matching any term of the group; empty when none.</summary>
    private static bool AnyPosition(int[] group, List<int>?[] positions)
    {
        foreach (var id in group)
            if (positions[id] is { Count: > 0 }) return true;
        return false;
    }

    private static int[] GroupPositions(int[] group, List<int>?[] positions)
    {
        List<int>? only = null;
        var count = 0;
        foreach (var id in group)
            if (positions[id] is { Count: > 0 } list) { only ??= list; count++; }
        if (count == 0) return [];
        if (count == 1) return only!.ToArray();
        var merged = new SortedSet<int>();
        foreach (var id in group)
            if (positions[id] is { } list) merged.UnionWith(list);
        return [.. merged];
    }

    /// <summary>The first position at or after <paramref name="from"/>, or int.MaxValue.</summary>
    private static int Next(int[] sorted, int from)
    {
        var i = Array.BinarySearch(sorted, from);
        if (i < 0) i = ~i;
        return i < sorted.Length ? sorted[i] : int.MaxValue;
    }

    /// <summary>
    /// Whether the rule occurs undenied (or, with <paramref name="sentence"/>, occurs at all in that sentence).
    /// Candidates start only where one of its words is, so a long message costs what its hits cost.
    /// </summary>
    private static bool Occurs(CompiledRule rule, List<Token> tokens, List<int>?[] positions, Dictionary<int, bool>? resolved, int sentence = -1)
    {
        // Most rules miss most messages: one group without a hit settles it before anything is allocated (every chat
        // message runs every rule, and these allocations were most of the detector's share of a turn's CPU).
        foreach (var group in rule.Groups)
            if (!AnyPosition(group, positions)) return false;
        var groups = new int[rule.Groups.Length][];
        for (var g = 0; g < groups.Length; g++)
            if ((groups[g] = GroupPositions(rule.Groups[g], positions)).Length == 0) return false;
        var starts = rule.Ordered ? groups[0] : groups.Length == 1 ? groups[0] : [.. groups.SelectMany(x => x).Distinct().Order()];
        Span<int> at = stackalloc int[groups.Length];
        foreach (var start in starts)
        {
            if (sentence >= 0 && tokens[start].Sentence != sentence) continue;
            int last;
            if (rule.Ordered)
            {
                at[0] = last = start;
                for (var g = 1; g < groups.Length && last != int.MaxValue; g++) at[g] = last = Next(groups[g], last + 1);
            }
            else
            {
                last = -1;
                for (var g = 0; g < groups.Length; g++) last = Math.Max(last, at[g] = Next(groups[g], start));
            }
            if (last == int.MaxValue) continue;
            // A phrase keeps its words close as written; a co-occurrence counts only content words in between.
            var distance = rule.Ordered ? last - start : tokens[last].Rank - tokens[start].Rank;
            if (distance >= rule.Span) continue;
            if (tokens[start].Sentence != tokens[last].Sentence) continue;
            if (sentence >= 0) return true;
            if (AnyNegated(tokens, at) || AnyFollowedByCue(rule, tokens, at)) continue;
            if (rule.Idiom && Hyperbole(tokens, start)) continue;
            var s = tokens[start].Sentence;
            if (Mild(rule.Category, tokens, s, at)) continue;
            if (resolved is not null)
            {
                if (!resolved.TryGetValue(s, out var settled)) resolved[s] = settled = Resolved(tokens, start, positions);
                if (settled) continue;
            }
            return true;
        }
        return false;
    }

    private const int HyperboleLookBack = 4;

    /// <summary>"Giving me a heart attack", "casi me da un infarto": a hyperbole word just before a named condition.</summary>
    private static bool Hyperbole(List<Token> tokens, int first)
    {
        for (var i = first - 1; i >= 0 && i >= first - HyperboleLookBack && tokens[i].Clause == tokens[first].Clause; i--)
            if (RedFlagKnowledge.HyperboleCues.Contains(tokens[i].Word)) return true;
        return false;
    }

    /// <summary>
    /// How far (in content words) a mild word reaches. Phone messages often have no punctuation, so one "sentence" can hold
    /// several complaints: "un poco" about the lips must not soften "no puede respirar" six words earlier.
    /// </summary>
    private const int MildReach = 5;

    /// <summary>
    /// The sentence calls this complaint mild or benign ("leve", "a pulled muscle", "a little") near the expression and
    /// nothing in the sentence says it is severe. "Poco" and "little" count only as "un poco" / "a little": "poco aire"
    /// is not mild.
    /// </summary>
    private static bool Mild(string category, List<Token> tokens, int sentence, Span<int> matched)
    {
        if (!RedFlagKnowledge.MildCues.TryGetValue(category, out var cues)) return false;
        var mild = false;
        var (from, to) = SentenceRange(tokens, sentence);
        for (var i = from; i < to; i++)
        {
            var t = tokens[i];
            if (IsSevere(t.Word)) return false;
            if (!cues.Contains(t.Word)) continue;
            if (!Near(tokens, matched, i, MildReach)) continue;
            if (t.Word is "poco" or "little" or "bit" && (i == 0 || tokens[i - 1].Word is not ("un" or "a"))) continue;
            mild = true;
        }
        return mild;
    }

    /// <summary>Within <paramref name="reach"/> content words of a matched word ("dolor de pecho al toser, leve").</summary>
    private static bool Near(List<Token> tokens, Span<int> matched, int at, int reach)
    {
        foreach (var p in matched)
            if (Math.Abs(tokens[p].Rank - tokens[at].Rank) <= reach) return true;
        return false;
    }

    private static readonly HashSet<string> SevereExact = new(RedFlagKnowledge.SeverityWords.Where(w => !w.EndsWith('*')), StringComparer.Ordinal);
    private static readonly string[] SeverePrefixes = RedFlagKnowledge.SeverityWords.Where(w => w.EndsWith('*')).Select(w => w.TrimEnd('*')).ToArray();

    private static bool IsSevere(string word)
    {
        if (SevereExact.Contains(word)) return true;
        foreach (var prefix in SeverePrefixes)
            if (word.StartsWith(prefix, StringComparison.Ordinal)) return true;
        return false;
    }

    private const int FollowingLookAhead = 3;

    private static bool AnyFollowedByCue(CompiledRule rule, List<Token> tokens, Span<int> matched)
    {
        RedFlagKnowledge.CategoryFollowingCues.TryGetValue(rule.Category, out var own);
        foreach (var p in matched)
            for (var i = p + 1; i < tokens.Count && i <= p + FollowingLookAhead && tokens[i].Clause == tokens[p].Clause; i++)
                if (FollowingCues.Contains(tokens[i].Word) || (own is not null && own.Contains(tokens[i].Word))) return true;
        return false;
    }

    private static bool AnyNegated(List<Token> tokens, Span<int> matched)
    {
        foreach (var p in matched)
            if (Negated(tokens, p, matched)) return true;
        return false;
    }

    /// <summary>
    /// A denial word shortly before the expression, in the same clause: "no chest pain", "denies chest pain",
    /// "sin dificultad para respirar", "no me falta el aire". An expression that is itself a negation ("no puedo
    /// respirar", "can't breathe", "not breathing") starts with that word, so only what precedes it counts.
    /// </summary>
    private static bool Negated(List<Token> tokens, int first, Span<int> matched)
    {
        for (var i = first - 1; i >= 0 && i >= first - NegationLookBack; i--)
        {
            var t = tokens[i];
            if (t.Clause != tokens[first].Clause || ScopeEnds.Contains(t.Word)) return false;
            if (matched.Contains(i)) continue;
            if (!NegationCues.Contains(t.Word)) continue;
            // "no sé si es el corazón", "not sure if": uncertainty, not a denial; a clitic may sit in between ("no lo
            // puede mover" is not being able to, which is the symptom).
            var next = i + 1;
            while (next < tokens.Count && next < first && RedFlagKnowledge.FillerWords.Contains(tokens[next].Word)) next++;
            if (next < tokens.Count && NegationReleases.Contains(tokens[next].Word)) continue;
            return true;
        }
        return false;
    }

    /// <summary>
    /// The sentence places the complaint in the past and says it was settled ("had chest pain last year, it was
    /// checked and fine"), and nothing in it brings it back to now ("... and now it's back").
    /// </summary>
    private static bool Resolved(List<Token> tokens, int first, List<int>?[] positions)
    {
        var sentence = tokens[first].Sentence;
        if (Fiction(tokens, sentence)) return true;
        var past = PastYear(tokens, sentence);
        foreach (var s in Suppressors)
        {
            if (past) break;
            if (Occurs(s, tokens, positions, resolved: null, sentence)) past = true;
        }
        if (!past) return false;
        var (from, to) = SentenceRange(tokens, sentence);
        for (var i = from; i < to; i++)
            if (PresentCues.Contains(tokens[i].Word) && !NearWellness(tokens, i) && !BackThen(tokens, i)) return false;
        return true;
    }

    /// <summary>
    /// The tokens of one sentence, [from, to): tokens come in sentence order, so two binary searches find it and the
    /// sentence checks cost what the sentence is long, not the whole message (a 4000-character message has many).
    /// </summary>
    private static (int From, int To) SentenceRange(List<Token> tokens, int sentence)
    {
        static int LowerBound(List<Token> tokens, int sentence)
        {
            int lo = 0, hi = tokens.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) / 2;
                if (tokens[mid].Sentence < sentence) lo = mid + 1; else hi = mid;
            }
            return lo;
        }
        return (LowerBound(tokens, sentence), LowerBound(tokens, sentence + 1));
    }

    /// <summary>"Now" next to "fine" ("she is doing well now", "he is 8 now and fine") says it is over, not back.</summary>
    private static bool NearWellness(List<Token> tokens, int at)
    {
        for (var i = Math.Max(0, at - 2); i < tokens.Count && i <= at + 2; i++)
            if (i != at && tokens[i].Sentence == tokens[at].Sentence && RedFlagKnowledge.WellnessWords.Contains(tokens[i].Word)) return true;
        return false;
    }

    /// <summary>"Back in 1998", "back when I was a kid": "back" pointing at the past, not "it's back".</summary>
    private static bool BackThen(List<Token> tokens, int at) =>
        tokens[at].Word == "back" && at + 1 < tokens.Count && tokens[at + 1].Word is "in" or "when" or "then";

    /// <summary>A past calendar year in the sentence ("back in 1998", "en 2019").</summary>
    private static bool PastYear(List<Token> tokens, int sentence)
    {
        var thisYear = DateTime.UtcNow.Year;
        var (from, to) = SentenceRange(tokens, sentence);
        for (var i = from; i < to; i++)
            if (tokens[i].Word is { Length: 4 } t && int.TryParse(t, out var year) && year >= 1900 && year < thisYear) return true;
        return false;
    }

    /// <summary>A sentence about a character in a show or book, naming nobody of the writer's own.</summary>
    private static bool Fiction(List<Token> tokens, int sentence)
    {
        bool media = false, character = false;
        var (from, to) = SentenceRange(tokens, sentence);
        for (var i = from; i < to; i++)
        {
            var t = tokens[i];
            if (RedFlagKnowledge.OwnWords.Contains(t.Word)) return false;
            media |= RedFlagKnowledge.MediaWords.Contains(t.Word);
            character |= RedFlagKnowledge.FictionSubjects.Contains(t.Word);
        }
        return media && character;
    }

    /// <summary>
    /// An age under a year said in the text: "my 2 month old", "6 weeks old", "bebé de 6 semanas", "tiene 40 días",
    /// "recién nacido", "newborn". Null when the text says none.
    /// </summary>
    private static int? InfantAgeFromText(List<Token> tokens)
    {
        bool Word(int at, params string[] words) => at >= 0 && at < tokens.Count && words.Contains(tokens[at].Word);
        // "mes y medio", "6 weeks and a half": half a unit more.
        int Half(int unitAt, int unitDays) =>
            (Word(unitAt + 1, "y") && Word(unitAt + 2, "medio", "media")) || (Word(unitAt + 1, "and") && Word(unitAt + 2, "a") && Word(unitAt + 3, "half"))
                ? unitDays / 2 : 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var w = tokens[i].Word;
            if (RedFlagKnowledge.NewbornWords.Contains(w)) return 14;
            if (w == "recien" && i + 1 < tokens.Count && tokens[i + 1].Word.StartsWith("nacid", StringComparison.Ordinal)) return 14;
            // Phone shorthand glues the unit to the number: "my 2mo has 38.1", "6wk old", "bebe de 3sem".
            if (Glued(w, out var gn, out var gunit))
            {
                bool After(params string[] words) => i + 1 < tokens.Count && words.Contains(tokens[i + 1].Word);
                var babyBefore = Enumerable.Range(i - 3, 3).Any(k => k >= 0 && RedFlagKnowledge.BabyWords.Contains(tokens[k].Word));
                if (After("old", "olds", "baby", "infant", "son", "daughter", "boy", "girl") || babyBefore) return gn * gunit;
                continue;
            }
            // A unit with no number is one of it: "tiene mes y medio", "de semana y media", "month and a half old".
            if (UnitDays(w) is var bare and > 1 && (i == 0 || !TryNumber(tokens[i - 1].Word, out _))
                && (Word(i - 1, "tiene", "cumplio", "tenia", "de", "has", "is", "hes", "shes") || Word(i + 1, "old"))
                && tokens.Exists(t => RedFlagKnowledge.BabyWords.Contains(t.Word)))
                return bare + Half(i, bare);
            if (!TryNumber(w, out var n) || i + 1 >= tokens.Count) continue;
            var unitDays = UnitDays(tokens[i + 1].Word);
            if (unitDays == 0) continue;
            // "a month and a half old": the half sits between the unit and "old".
            var afterUnit = Half(i + 1, 2) > 0 ? (Word(i + 2, "y") ? i + 4 : i + 5) : i + 2;
            bool BabyNear(int at) => Enumerable.Range(at - 3, 3).Any(k => k >= 0 && RedFlagKnowledge.BabyWords.Contains(tokens[k].Word));
            var isAge =
                Word(afterUnit, "old", "olds", "baby", "babies", "infant", "newborn", "son", "daughter", "boy", "girl", "grandson", "granddaughter")
                || (Word(i + 2, "de") && i + 3 < tokens.Count && tokens[i + 3].Word is "vida" or "nacido" or "nacida" or "edad")
                || (Word(i - 1, "de", "tiene", "cumplio", "tenia", "of") && BabyNear(i - 1))
                || (Word(i - 1, "tiene", "cumplio") && tokens.Any(t => RedFlagKnowledge.BabyWords.Contains(t.Word)))
                || (Word(i + 2, "ago", "atras") && Word(i - 1, "born", "nacio", "nacida", "nacido"))
                || (Word(i - 1, "hace") && Word(i - 2, "nacio", "nacido", "nacida"));
            if (isAge) return n * unitDays + Half(i + 1, unitDays);
        }
        return null;
    }

    /// <summary>Spanish when the message's common words outnumber English ones, English when the reverse, else null.</summary>
    private static string? GuessLanguage(List<Token> tokens)
    {
        var score = 0;
        foreach (var t in tokens)
        {
            if (RedFlagKnowledge.SpanishMarkers.Contains(t.Word)) score++;
            else if (RedFlagKnowledge.EnglishMarkers.Contains(t.Word)) score--;
        }
        return score > 0 ? "es" : score < 0 ? "en" : null;
    }

    private static int UnitDays(string unit) => unit switch
    {
        "day" or "days" or "dia" or "dias" or "d" => 1,
        "dita" or "ditas" or "diita" or "diitas" or "diyas" => 1,
        "week" or "weeks" or "w" or "wk" or "wks" or "semana" or "semanas" or "sem" or "semanita" or "semanitas" or "smanas" or "semans" => 7,
        "month" or "months" or "mo" or "mos" or "mes" or "meses" or "m" or "mth" or "mths" or "mesecito" or "mesecitos" or "mesesito" or "mesesitos" => 30,
        "year" or "years" or "yr" or "yrs" or "ano" or "anos" => 365,
        _ => 0,
    };

    private static bool Glued(string word, out int n, out int unitDays)
    {
        n = unitDays = 0;
        var digits = 0;
        while (digits < word.Length && char.IsAsciiDigit(word[digits])) digits++;
        if (digits == 0 || digits == word.Length || digits > 3) return false;
        unitDays = UnitDays(word[digits..]);
        return unitDays > 0 && int.TryParse(word.AsSpan(0, digits), out n) && n > 0;
    }

    private static bool TryNumber(string word, out int n)
    {
        if (int.TryParse(word, out n) && n is > 0 and < 1000) return true;
        n = Array.IndexOf(RedFlagKnowledge.NumberWordsEn, word);
        if (n > 0) return true;
        n = Array.IndexOf(RedFlagKnowledge.NumberWordsEs, word);
        if (n > 0) return true;
        if (RedFlagKnowledge.TensWords.TryGetValue(word, out n)) return true;
        n = word is "a" or "an" or "un" or "una" or "uno" ? 1 : 0;
        return n > 0;
    }
}
