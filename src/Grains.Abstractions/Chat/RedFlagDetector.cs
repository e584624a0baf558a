namespace HealthActors.Grains.Abstractions.Chat;

/// <summary>
/// Matches <see cref="RedFlagKnowledge"/> against folded text as a sequence of words rather than as one string,
/// so an expression survives inflection (word stems), words in between and word order (a symptom within a few
/// words of its body part), and a plain denial ("no chest pain", "sin dificultad para respirar") is not an alarm.
/// Every rule is compiled once into a word index; a message is tokenised once and each word looked up, so the
/// cost grows with the length of the message, not with the number of rules.
/// </summary>
public static class RedFlagDetector
{
    /// <summary>Fever under this age (days) is an emergency on its own: infants hide sepsis behind a fever.</summary>
    public const int InfantAgeLimitDays = 90;

    private const int NegationLookBack = 4;

    private sealed record Token(string Word, int Sentence, int Clause);

    /// <summary>One word alternative: a whole word, or a stem ending in '*' that any longer word may start with.</summary>
    private sealed class Term(string text)
    {
        public string Text { get; } = text.TrimEnd('*');
        public bool IsPrefix { get; } = text.EndsWith('*');
        public int Id { get; set; }
    }

    private sealed record CompiledRule(string Category, string Language, int[][] Groups, int Span, bool Ordered);

    private static readonly Dictionary<string, Term> Exact = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Term> Prefixes = new(StringComparer.Ordinal);
    private static readonly Dictionary<string, Term>.AlternateLookup<ReadOnlySpan<char>> PrefixLookup = Prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly List<Term> Terms = [];
    private static readonly CompiledRule[] Rules;
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
    }

    private static CompiledRule Compile(string category, string language, RedFlagRule rule)
    {
        var groups = rule.Pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(g => Expand(g).Select(Intern).Distinct().ToArray())
            .ToArray();
        return new CompiledRule(category, language, groups, rule.Span ?? groups.Length + 1, rule.Ordered);
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

    /// <summary>Every category whose expressions occur in the text, undenied, in the order of <see cref="RedFlagKnowledge.Categories"/>.</summary>
    public static IReadOnlyList<RedFlagMatch> Match(string text, int? ageInDays = null)
    {
        var tokens = Tokenize(RedFlags.Fold(text));
        var positions = Locate(tokens);
        var found = new List<RedFlagMatch>();
        // Body-part and symptom concepts are shared by both languages, so which rule fired does not tell the
        // patient's language; the message's common words do, and the rule decides only when they are silent.
        var language = GuessLanguage(tokens);
        foreach (var rule in Rules)
        {
            if (found.Exists(f => f.Kind == rule.Category)) continue;
            if (Occurs(rule, tokens, positions)) found.Add(new RedFlagMatch(rule.Category, language ?? rule.Language));
        }
        var age = InfantAgeFromText(tokens) ?? ageInDays;
        if (age is >= 0 and < InfantAgeLimitDays && !found.Exists(f => f.Kind == RedFlagCategories.InfantFever))
            foreach (var rule in FeverRules)
                if (Occurs(rule, tokens, positions)) { found.Add(new RedFlagMatch(RedFlagCategories.InfantFever, language ?? (rule.Groups.Length > 0 && FeverRules[1] == rule ? "es" : "en"))); break; }
        return found;
    }

    private static List<Token> Tokenize(string folded)
    {
        var tokens = new List<Token>();
        int sentence = 0, clause = 0;
        var word = new System.Text.StringBuilder();
        void Flush()
        {
            if (word.Length == 0) return;
            tokens.Add(new Token(word.ToString(), sentence, clause));
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

    /// <summary>For each term, the positions of the words it matches.</summary>
    private static List<int>?[] Locate(List<Token> tokens)
    {
        var positions = new List<int>?[Terms.Count];
        void Add(Term term, int at) => (positions[term.Id] ??= []).Add(at);
        for (var i = 0; i < tokens.Count; i++)
        {
            var word = tokens[i].Word;
            if (Exact.TryGetValue(word, out var exact)) Add(exact, i);
            for (var length = 2; length <= word.Length; length++)
                if (PrefixLookup.TryGetValue(word.AsSpan(0, length), out var prefix)) Add(prefix, i);
        }
        return positions;
    }

    private static bool Has(int[] group, List<int>?[] positions, int at)
    {
        foreach (var id in group)
            if (positions[id] is { } list && list.Contains(at)) return true;
        return false;
    }

    private static int Next(int[] group, List<int>?[] positions, int from)
    {
        var best = int.MaxValue;
        foreach (var id in group)
            if (positions[id] is { } list)
                foreach (var p in list)
                    if (p >= from && p < best) { best = p; break; }
        return best;
    }

    private static bool Occurs(CompiledRule rule, List<Token> tokens, List<int>?[] positions, int sentence = -1)
    {
        // Cheap rejection: a group with no word in the message.
        foreach (var group in rule.Groups)
            if (Next(group, positions, 0) == int.MaxValue) return false;
        Span<int> at = stackalloc int[rule.Groups.Length];
        for (var start = 0; start < tokens.Count; start++)
        {
            if (sentence >= 0 && tokens[start].Sentence != sentence) continue;
            int last;
            if (rule.Ordered)
            {
                if (!Has(rule.Groups[0], positions, start)) continue;
                at[0] = last = start;
                for (var g = 1; g < rule.Groups.Length && last != int.MaxValue; g++) at[g] = last = Next(rule.Groups[g], positions, last + 1);
            }
            else
            {
                var any = false;
                foreach (var group in rule.Groups) any |= Has(group, positions, start);
                if (!any) continue;
                last = -1;
                for (var g = 0; g < rule.Groups.Length; g++) last = Math.Max(last, at[g] = Next(rule.Groups[g], positions, start));
            }
            if (last == int.MaxValue || last - start >= rule.Span) continue;
            if (tokens[start].Sentence != tokens[last].Sentence) continue;
            if (sentence < 0 && (AnyNegated(tokens, at) || Resolved(tokens, start, positions))) continue;
            if (sentence < 0 && AnyFollowedByCue(rule, tokens, at)) continue;
            return true;
        }
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
            // "no sé si es el corazón", "not sure if": uncertainty, not a denial.
            if (i + 1 < tokens.Count && NegationReleases.Contains(tokens[i + 1].Word)) continue;
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
        var past = false;
        foreach (var s in Suppressors)
            if (Occurs(s, tokens, positions, sentence)) { past = true; break; }
        if (!past) return false;
        foreach (var t in tokens)
            if (t.Sentence == sentence && PresentCues.Contains(t.Word)) return false;
        return true;
    }

    /// <summary>
    /// An age under a year said in the text: "my 2 month old", "6 weeks old", "bebé de 6 semanas", "tiene 40 días",
    /// "recién nacido", "newborn". Null when the text says none.
    /// </summary>
    private static int? InfantAgeFromText(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var w = tokens[i].Word;
            if (RedFlagKnowledge.NewbornWords.Contains(w)) return 14;
            if (w == "recien" && i + 1 < tokens.Count && tokens[i + 1].Word.StartsWith("nacid", StringComparison.Ordinal)) return 14;
            if (!TryNumber(w, out var n) || i + 1 >= tokens.Count) continue;
            var unitDays = UnitDays(tokens[i + 1].Word);
            if (unitDays == 0) continue;
            bool Word(int at, params string[] words) => at >= 0 && at < tokens.Count && words.Contains(tokens[at].Word);
            bool BabyNear(int at) => Enumerable.Range(at - 3, 3).Any(k => k >= 0 && RedFlagKnowledge.BabyWords.Contains(tokens[k].Word));
            var isAge =
                Word(i + 2, "old", "olds", "baby", "babies", "infant", "newborn", "son", "daughter", "boy", "girl", "grandson", "granddaughter")
                || (Word(i + 2, "de") && i + 3 < tokens.Count && tokens[i + 3].Word is "vida" or "nacido" or "nacida" or "edad")
                || (Word(i - 1, "de", "tiene", "cumplio", "tenia", "of") && BabyNear(i - 1))
                || (Word(i - 1, "tiene", "cumplio") && tokens.Any(t => RedFlagKnowledge.BabyWords.Contains(t.Word)))
                || (Word(i + 2, "ago", "atras") && Word(i - 1, "born", "nacio", "nacida", "nacido"))
                || (Word(i - 1, "hace") && Word(i - 2, "nacio", "nacido", "nacida"));
            if (isAge) return n * unitDays;
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
        "week" or "weeks" or "wk" or "wks" or "semana" or "semanas" or "sem" => 7,
        "month" or "months" or "mo" or "mos" or "mes" or "meses" or "m" => 30,
        "year" or "years" or "yr" or "yrs" or "ano" or "anos" => 365,
        _ => 0,
    };

    private static bool TryNumber(string word, out int n)
    {
        if (int.TryParse(word, out n) && n is > 0 and < 1000) return true;
        n = Array.IndexOf(RedFlagKnowledge.NumberWordsEn, word);
        if (n > 0) return true;
        n = Array.IndexOf(RedFlagKnowledge.NumberWordsEs, word);
        if (n > 0) return true;
        n = word is "a" or "an" or "un" or "una" or "uno" ? 1 : 0;
        return n > 0;
    }
}
