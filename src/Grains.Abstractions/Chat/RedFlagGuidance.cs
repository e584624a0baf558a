namespace HealthActors.Grains.Abstractions.Chat;

/// <summary>
/// What to tell someone whose message tripped a red flag: what to do now for that category, the emergency
/// number of their country, a crisis line or poison control where the category calls for one, and that this
/// assistant cannot assess emergencies. English and Spanish. Only numbers we are sure of are listed; any other
/// country gets generic wording rather than a guess, because a wrong number in an emergency is worse than none.
/// </summary>
public static class RedFlagGuidance
{
    /// <summary>The category recorded when the model, not the rules, flagged the emergency.</summary>
    public const string ModelCategory = "model";

    private static readonly string[] Eu112 =
    [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
        "NL", "PL", "PT", "RO", "SK", "SI", "SE", "IS", "LI", "NO", "CH",
    ];

    /// <summary>Emergency numbers, the medical one first where a country has several.</summary>
    private static readonly Dictionary<string, string[]> Emergency = new Dictionary<string, string[]>
    {
        ["US"] = ["911"], ["CA"] = ["911"], ["MX"] = ["911"], ["AR"] = ["107", "911"], ["ES"] = ["112"],
        ["GB"] = ["999", "112"], ["CO"] = ["123"], ["CL"] = ["131"], ["PE"] = ["106", "105"], ["UY"] = ["911"],
        ["AU"] = ["000"], ["NZ"] = ["111"], ["IN"] = ["112"],
    }.Concat(Eu112.Select(c => KeyValuePair.Create(c, new[] { "112" }))).ToDictionary();

    private static readonly Dictionary<string, (string En, string Es)> Crisis = new()
    {
        ["US"] = ("988 (Suicide & Crisis Lifeline, call or text)", "988 (línea de crisis y suicidio, llamada o mensaje)"),
        ["CA"] = ("988 (Suicide Crisis Helpline, call or text)", "988 (línea de crisis, llamada o mensaje)"),
        ["ES"] = ("024 (suicidal behaviour line, free, 24 hours)", "024 (línea de atención a la conducta suicida, gratuita, 24 horas)"),
        ["AR"] = ("135 (Centro de Asistencia al Suicida)", "135 (Centro de Asistencia al Suicida)"),
        ["MX"] = ("800 911 2000 (Línea de la Vida, 24 hours)", "800 911 2000 (Línea de la Vida, 24 horas)"),
        ["GB"] = ("Samaritans on 116 123 (free, 24 hours)", "Samaritans, 116 123 (gratuito, 24 horas)"),
    };

    private static readonly Dictionary<string, string> Poison = new()
    {
        ["US"] = "1-800-222-1222", ["ES"] = "91 562 04 20", ["AR"] = "0800-333-0160", ["MX"] = "800 009 2800",
    };

    /// <summary>
    /// The language of the answer: the profile's preferred one when it is English or Spanish, else the language the
    /// message was written in (what the detector saw).
    /// </summary>
    public static string Language(string? preferred, string textLanguage)
    {
        var p = preferred is { Length: >= 2 } ? preferred[..2].ToLowerInvariant() : null;
        if (p is "en" or "es") return p;
        return textLanguage == "es" ? "es" : "en";
    }

    /// <summary>The full answer for <paramref name="match"/>; <paramref name="countryCode"/> is ISO 3166-1 alpha-2 or null.</summary>
    public static string For(RedFlagMatch match, string? language, string? countryCode)
    {
        var es = Language(language, match.Language) == "es";
        var country = countryCode?.Trim().ToUpperInvariant();
        var number = EmergencyNumber(country, es);
        if (match.Kind == RedFlagCategories.Suicide) return Suicide(country, number, es);

        var opening = es
            ? $"⚠️ Esto puede ser una emergencia. Llama ahora {number} o ve al servicio de urgencias más cercano."
            : $"⚠️ This may be a medical emergency. Call {number} now or go to the nearest emergency department.";
        if (match.Kind == ModelCategory)
            opening = es
                ? $"⚠️ El asistente cree que esto puede ser una emergencia. Llama ahora {number} o ve al servicio de urgencias más cercano."
                : $"⚠️ The assistant thinks this may be an emergency. Call {number} now or go to the nearest emergency department.";
        var poison = match.Kind == RedFlagCategories.Overdose ? " " + PoisonControl(country, es) : "";
        var closing = es ? " Este asistente no puede evaluar emergencias." : " This assistant cannot assess emergencies.";
        return opening + " " + WhatToDo(match.Kind, es) + poison + closing;
    }

    /// <summary>"al 112", "al 107 o al 911", "911", or the generic wording when the country is unknown.</summary>
    public static string EmergencyNumber(string? country, bool es)
    {
        if (country is not null && Emergency.TryGetValue(country, out var numbers))
            return es ? "al " + string.Join(" o al ", numbers) : string.Join(" or ", numbers);
        return es
            ? "al número de emergencias de tu país (112 o 911 en la mayoría)"
            : "your local emergency number (112 or 911 in most countries)";
    }

    private static string PoisonControl(string? country, bool es)
    {
        if (country is not null && Poison.TryGetValue(country, out var number))
            return es ? $"También puedes llamar a información toxicológica: {number}." : $"You can also call poison control: {number}.";
        return es ? "También puedes llamar al centro de toxicología de tu país." : "You can also call your local poison control centre.";
    }

    // Words first, numbers after: someone in crisis should not get a bare phone number.
    private static string Suicide(string? country, string number, bool es)
    {
        var crisis = country is not null && Crisis.TryGetValue(country, out var line) ? (es ? line.Es : line.En) : null;
        return es
            ? "Gracias por contarlo; no tienes que pasar por esto solo/a, y lo que sientes ahora puede cambiar con ayuda. " +
              (crisis is not null
                  ? $"Puedes hablar ahora mismo con alguien que sabe escuchar: {crisis}. "
                  : "Puedes hablar ahora mismo con alguien en la línea de crisis de tu país (024 en España, 988 en EE. UU. y Canadá, 135 en Argentina). ") +
              $"Si puedes llegar a hacerte daño o ya lo hiciste, llama ahora {number}. " +
              "Si puedes, quédate con alguien de confianza y aleja lo que podrías usar para hacerte daño. " +
              "Este asistente no puede evaluar emergencias, pero las personas de esa línea sí pueden acompañarte."
            : "Thank you for saying this; you do not have to go through it alone, and what you feel now can change with help. " +
              (crisis is not null
                  ? $"You can talk to someone who will listen right now: {crisis}. "
                  : "You can talk to someone right now at your local crisis line (988 in the US and Canada, Samaritans 116 123 in the UK, 024 in Spain). ") +
              $"If you might act on these thoughts or have already hurt yourself, call {number} now. " +
              "If you can, stay with someone you trust and put away anything you could use to hurt yourself. " +
              "This assistant cannot assess emergencies, but the people on that line can be with you through this.";
    }

    private static string WhatToDo(string kind, bool es) => (kind, es) switch
    {
        (RedFlagCategories.AcuteCoronarySyndrome, false) => "Stop and sit or lie down. Chew one aspirin only if you are not allergic to it and the emergency operator or your doctor tells you to. Do not drive yourself; if you are alone, unlock the door.",
        (RedFlagCategories.AcuteCoronarySyndrome, true) => "Detente y siéntate o acuéstate. Mastica una aspirina solo si no eres alérgico/a y te lo indica el operador de emergencias o tu médico. No conduzcas; si estás solo/a, deja la puerta sin llave.",
        (RedFlagCategories.BreathingDifficulty, false) => "Sit upright, loosen tight clothing and use your reliever inhaler if you have one. Do not lie flat and do not drive yourself.",
        (RedFlagCategories.BreathingDifficulty, true) => "Siéntate erguido/a, afloja la ropa ajustada y usa tu inhalador de rescate si tienes uno. No te acuestes y no conduzcas.",
        (RedFlagCategories.Stroke, false) => "Note the time the symptoms started (or when the person was last seen well): treatment depends on it. Give no food, drink or medicine, and do not drive; wait for the ambulance.",
        (RedFlagCategories.Stroke, true) => "Anota la hora en que empezaron los síntomas (o la última vez que la persona estaba bien): el tratamiento depende de ello. No des comida, bebida ni medicamentos y no conduzcas; espera a la ambulancia.",
        (RedFlagCategories.Anaphylaxis, false) => "If there is an epinephrine (adrenaline) auto-injector, use it now in the outer thigh, and call even if it helps. Lie down with the legs raised, or sit up if breathing is hard; use a second injector after 5 minutes if there is no improvement.",
        (RedFlagCategories.Anaphylaxis, true) => "Si hay un autoinyector de adrenalina, úsalo ahora en la parte externa del muslo, y llama aunque mejore. Acuéstate con las piernas elevadas, o siéntate si cuesta respirar; usa un segundo autoinyector a los 5 minutos si no mejora.",
        (RedFlagCategories.SevereBleeding, false) => "Press firmly on the wound with a clean cloth and keep pressing without lifting it to look; add more cloth on top if it soaks through. Someone vomiting or coughing blood should sit leaning forward or lie on their side.",
        (RedFlagCategories.SevereBleeding, true) => "Presiona firme la herida con un paño limpio y no lo levantes para mirar; si se empapa, pon otro encima. Si alguien vomita o tose sangre, que se siente inclinado hacia delante o se acueste de lado.",
        (RedFlagCategories.Pregnancy, false) => "Bleeding or strong pain in pregnancy needs to be seen now; do not wait to see whether it stops. Lie on your left side while you wait and take your pregnancy records with you.",
        (RedFlagCategories.Pregnancy, true) => "Un sangrado o un dolor fuerte en el embarazo debe verse ahora; no esperes a ver si para. Mientras esperas, acuéstate sobre el lado izquierdo y lleva tus controles del embarazo.",
        (RedFlagCategories.Unconscious, false) => "If the person is unconscious but breathing, turn them on their side (recovery position). During a seizure, move hard objects away and cushion the head; do not hold them down and do not put anything in their mouth. If they are not breathing, start chest compressions; the operator will guide you.",
        (RedFlagCategories.Unconscious, true) => "Si la persona está inconsciente pero respira, ponla de lado (posición lateral de seguridad). Durante una convulsión, aparta objetos duros y protege la cabeza; no la sujetes y no le pongas nada en la boca. Si no respira, empieza compresiones en el pecho; el operador te guiará.",
        (RedFlagCategories.ThunderclapHeadache, false) => "A sudden, severe headache, the worst of your life, must be checked now even if it eases. Do not take aspirin and do not drive yourself.",
        (RedFlagCategories.ThunderclapHeadache, true) => "Un dolor de cabeza repentino y muy fuerte, el peor de tu vida, debe revisarse ahora aunque mejore. No tomes aspirina y no conduzcas.",
        (RedFlagCategories.Meningitis, false) => "Fever with a stiff neck, confusion or a rash needs care now. Press a clear glass against the rash: if the spots do not fade under the glass, go at once, but do not wait for a rash if the other signs are there.",
        (RedFlagCategories.Meningitis, true) => "Fiebre con rigidez de cuello, confusión o manchas en la piel necesita atención ahora. Aprieta un vaso de vidrio transparente sobre las manchas: si no desaparecen bajo el vaso, ve de inmediato, pero no esperes a las manchas si hay otros signos.",
        (RedFlagCategories.InfantFever, false) => "A baby under 3 months with a temperature of 38 °C (100.4 °F) or more must be seen now, even if the baby seems well. Do not give fever medicine before a doctor sees the baby unless you are told to.",
        (RedFlagCategories.InfantFever, true) => "Un bebé de menos de 3 meses con 38 °C o más de temperatura debe ser visto ahora, aunque parezca estar bien. No le des antitérmicos antes de que lo vea un médico salvo que te lo indiquen.",
        (RedFlagCategories.Overdose, false) => "Do not make the person vomit and give nothing to eat or drink unless told to. Keep the pill bottle, packet or product to show. If they become drowsy or unconscious, lay them on their side.",
        (RedFlagCategories.Overdose, true) => "No provoques el vómito y no des nada de comer ni de beber salvo que te lo indiquen. Guarda el envase, el blíster o el producto para mostrarlo. Si se adormece o pierde el conocimiento, ponla de lado.",
        (RedFlagCategories.Trauma, false) => "Do not move someone who may have hurt their neck or back unless they are in danger, and press on any bleeding. After a blow to the head, confusion, repeated vomiting or drowsiness mean go now; do not leave them alone and do not let them drive.",
        (RedFlagCategories.Trauma, true) => "No muevas a quien pueda tener una lesión de cuello o espalda salvo que corra peligro, y presiona cualquier sangrado. Tras un golpe en la cabeza, confusión, vómitos repetidos o somnolencia son motivo para ir ahora; no la dejes sola ni la dejes conducir.",
        (RedFlagCategories.Sepsis, false) => "Fever or a very low temperature with confusion, fast breathing, mottled or bluish skin or very little urine can be sepsis, which needs treatment within hours. Go now and ask: could this be sepsis?",
        (RedFlagCategories.Sepsis, true) => "Fiebre o temperatura muy baja con confusión, respiración rápida, piel moteada o azulada u orina muy escasa puede ser una sepsis, que necesita tratamiento en horas. Ve ahora y pregunta: ¿puede ser una sepsis?",
        (RedFlagCategories.AcuteAbdomen, false) => "Sudden, severe belly pain, or a hard, rigid belly, needs emergency care. Eat and drink nothing and take no painkillers or laxatives until you are seen.",
        (RedFlagCategories.AcuteAbdomen, true) => "Un dolor de barriga repentino y muy fuerte, o el abdomen duro como una tabla, necesita atención de urgencia. No comas ni bebas y no tomes analgésicos ni laxantes hasta que te vean.",
        (_, false) => "Do not drive yourself. Sit or lie down and, if you are alone, unlock the door.",
        (_, true) => "No conduzcas. Siéntate o acuéstate y, si estás solo/a, deja la puerta sin llave.",
    };
}

/// <summary>ISO 3166-1 alpha-2 country codes, for the profile's country.</summary>
public static class CountryCodes
{
    public static readonly IReadOnlySet<string> All = (
        "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
        "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
        "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
        "KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
        "MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
        "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
        "UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW").Split(' ').ToHashSet(StringComparer.Ordinal);

    /// <summary>True for a known code in upper case ("ES"); lower case is accepted and stored upper case by the profile rules.</summary>
    public static bool IsValid(string? code) => code is { Length: 2 } && All.Contains(code.ToUpperInvariant());
}
