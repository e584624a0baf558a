using System.Diagnostics;
using HealthActors.Grains.Abstractions.Cases;
using HealthActors.Grains.Abstractions.Common;
using Xunit.Abstractions;

namespace HealthActors.UnitTests.Cases;

public sealed class DeidentificationTests(ITestOutputHelper output)
{
    private const string E = "email", P = "phone", N = "national-id", A = "street-address", D = "date-of-birth";

    // (text, kind expected, the identifier itself: it must lie inside the reported span and never in a message)
    public static readonly (string Text, string Kind, string Identifier)[] WithIdentifiers =
    [
        // Emails, plain and spelled out.
        ("Contact the family at ana.lopez@gmail.com for follow-up", E, "ana.lopez@gmail.com"),
        ("patient email: j.smith+clinic@nhs.net", E, "j.smith+clinic@nhs.net"),
        ("escribir a maria_garcia@hotmail.es si empeora", E, "maria_garcia@hotmail.es"),
        ("reach her on ana at gmail dot com after discharge", E, "ana at gmail dot com"),
        ("correo: ana [arroba] hotmail.com", E, "ana [arroba] hotmail.com"),
        ("email jsmith (at) yahoo (dot) com", E, "jsmith (at) yahoo (dot) com"),
        ("su correo es pepe arroba gmail punto com", E, "pepe arroba gmail punto com"),
        ("write to pedro.ruiz at outlook.es today", E, "pedro.ruiz at outlook.es"),
        ("contact: ana[at]clinica[dot]mx", E, "ana[at]clinica[dot]mx"),
        ("mail him at mark @ example.org", E, "mark @ example.org"),
        ("ＡＮＡ＠ＧＭＡＩＬ．ＣＯＭ wrote", E, "ＡＮＡ＠ＧＭＡＩＬ．ＣＯＭ"),
        ("the daughter (luisa.fernandez@yahoo.com.ar) called", E, "luisa.fernandez@yahoo.com.ar"),
        // Phones.
        ("call +14155550132 when results are back", P, "+14155550132"),
        ("daughter's phone +34 612 34 56 78", P, "+34 612 34 56 78"),
        ("tel. +34 612 345 678", P, "+34 612 345 678"),
        ("mobile +44 7700 900123", P, "+44 7700 900123"),
        ("phone (555) 123-4567 evenings", P, "(555) 123-4567"),
        ("call 415-555-0132 anytime", P, "415-555-0132"),
        ("his number is 415.555.0132", P, "415.555.0132"),
        ("teléfono 612 34 56 78", P, "612 34 56 78"),
        ("móvil 612345678", P, "612345678"),
        ("llamar al 91 123 45 67 (fijo)", P, "91 123 45 67"),
        ("su hijo: 699-12-34-56", P, "699-12-34-56"),
        ("celular 11 5555-0199", P, "11 5555-0199"),
        ("llamar al +54 9 11 5555-0199", P, "+54 9 11 5555-0199"),
        ("tel (11) 4555-0199 de la casa", P, "(11) 4555-0199"),
        ("celular 55 1234 5678 del esposo", P, "55 1234 5678"),
        ("+52 1 55 1234 5678 es el de la madre", P, "+52 1 55 1234 5678"),
        ("tel 33.1234.5678", P, "33.1234.5678"),
        ("call 612.34.56.78 in Madrid", P, "612.34.56.78"),
        ("wife on +1 (212) 555-0173", P, "+1 (212) 555-0173"),
        ("number 0351 456-7890 Córdoba", P, "0351 456-7890"),
        // National ids.
        ("DNI 12345678Z, mujer de 45 años", N, "12345678Z"),
        ("con documento 87654321X", N, "87654321X"),
        ("identified as 45678912-S at triage", N, "45678912-S"),
        ("NIE X1234567L del paciente", N, "X1234567L"),
        ("NIE Y-2345678-Z", N, "Y-2345678-Z"),
        ("su nie es z9876543a", N, "z9876543a"),
        ("SSN 123-45-6789 on the form", N, "123-45-6789"),
        ("social security 078 05 1120", N, "078 05 1120"),
        ("her card shows 219-09-9999", N, "219-09-9999"),
        ("DNI 12.345.678, de Rosario", N, "12.345.678"),
        ("paciente 23.456.789 de Córdoba", N, "23.456.789"),
        ("D.N.I. 5.123.456 (libreta vieja)", N, "5.123.456"),
        ("CURP GOMA850403HDFRRN09", N, "GOMA850403HDFRRN09"),
        ("la CURP es LOPE900115MJCPRS09 según el expediente", N, "LOPE900115MJCPRS09"),
        ("HEGJ770912HNLRRN05 en la hoja de ingreso", N, "HEGJ770912HNLRRN05"),
        ("RUT 12.345.678-5 de Santiago", N, "12.345.678-5"),
        ("rut 7654321-6", N, "7654321-6"),
        ("paciente 15.432.198-5 de Valparaíso", N, "15.432.198-5"),
        ("NHS number 943 476 5919", N, "943 476 5919"),
        ("referred, 4010232137 on the letter", N, "4010232137"),
        ("NHS no. 485-777-3457 at the GP", N, "485-777-3457"),
        ("passport AB1234567 kept at reception", N, "AB1234567"),
        ("pasaporte nº PAA123456", N, "PAA123456"),
        ("cédula 1.234.567-8 de Montevideo", N, "1.234.567-8"),
        // Street addresses.
        ("lives at 123 Main Street with her son", A, "123 Main Street"),
        ("found at 45 Elm Ave Apt 3 by neighbours", A, "45 Elm Ave Apt 3"),
        ("address 221B Baker St.", A, "221B Baker St"),
        ("lives on 7 Oak Road, Leeds", A, "7 Oak Road"),
        ("from 1600 Pennsylvania Avenue", A, "1600 Pennsylvania Avenue"),
        ("moved to 12 Kings Court last year", A, "12 Kings Court"),
        ("at 350 Fifth Ave #4 since May", A, "350 Fifth Ave #4"),
        ("home: 9 Willow Lane", A, "9 Willow Lane"),
        ("vive en Calle Mayor 5 con su hija", A, "Calle Mayor 5"),
        ("domicilio: C/ Alcalá 23, 2ºB", A, "C/ Alcalá 23, 2ºB"),
        ("en Av. Corrientes 1234, Buenos Aires", A, "Av. Corrientes 1234"),
        ("Avenida de la Constitución 12, Sevilla", A, "Avenida de la Constitución 12"),
        ("vive en la calle San Bernardo 40", A, "calle San Bernardo 40"),
        ("Paseo de Gracia 92, Barcelona", A, "Paseo de Gracia 92"),
        ("Plaza Mayor 3, Salamanca", A, "Plaza Mayor 3"),
        ("domicilio en c/Goya 14", A, "c/Goya 14"),
        ("Avda. Libertador nº 4500", A, "Avda. Libertador nº 4500"),
        ("Calle Reforma, 222", A, "Calle Reforma, 222"),
        // Dates of birth.
        ("born on 03/04/1985 in a rural area", D, "03/04/1985"),
        ("DOB 1985-04-03", D, "1985-04-03"),
        ("D.O.B.: 3-4-1985", D, "3-4-1985"),
        ("date of birth: April 3, 1985", D, "April 3, 1985"),
        ("born 3rd of April 1985", D, "3rd of April 1985"),
        ("born in April 1985, term delivery", D, "April 1985"),
        ("dob 12.11.72", D, "12.11.72"),
        ("birthdate 1972/11/12", D, "1972/11/12"),
        ("fecha de nacimiento 3 de abril de 1985", D, "3 de abril de 1985"),
        ("nacido el 3/4/85 en Lima", D, "3/4/85"),
        ("nacida el 12 de marzo del 78", D, "12 de marzo del 78"),
        ("F. nac.: 03/04/1985", D, "03/04/1985"),
        ("nació en septiembre de 1990", D, "septiembre de 1990"),
        ("fecha de nacimiento: 1990-09-14", D, "1990-09-14"),
    ];

    public static readonly string[] ClinicalTexts =
    [
        "metformin 500 mg twice daily",
        "HbA1c 7.2% three months ago",
        "BP 140/90 on arrival, HR 110 bpm",
        "Hb 12.3 g/dL, WBC 11.2 x10^9/L, platelets 250 x10^9/L",
        "INR 2.5 on warfarin 5 mg",
        "a 45-year-old woman with chest pain",
        "age band 40-49, male",
        "fever for 3 days",
        "on day 5 of admission she became confused",
        "diagnosed with type 2 diabetes in 2019",
        "E11.9 type 2 diabetes without complications",
        "ICD-10 I21.4, NSTEMI",
        "HR 88, T 38.5 °C, RR 22, SpO2 94% on air",
        "moved to room 12, bed 4",
        "disc herniation at L4-L5 and L5-S1",
        "G2P1, 32 weeks",
        "GCS 15, NIHSS 4",
        "creatinine 1.2 mg/dL, eGFR 58 mL/min/1.73m2",
        "Na 138 K 4.1 Cl 101 HCO3 24",
        "glucose 126 mg/dL fasting",
        "QTc 460 ms, PR 200 ms",
        "EF 35% on echo",
        "troponin 0.04 ng/mL at 0 h and 0.12 ng/mL at 3 h",
        "12-lead ECG: ST elevation V1-V4",
        "amoxicillin 875/125 mg every 12 hours for 7 days",
        "weight 78.5 kg, height 172 cm, BMI 26.5",
        "pain 7/10 at rest",
        "pain at rest. Then improved with nitrates",
        "seen at home by the GP on day 2",
        "CD4 350 cells/mm3, viral load 10000 copies/mL",
        "plaquetas 250.000/mm3, leucocitos 12.000",
        "hematíes 4.500.000/mm3 y hemoglobina 13 g/dL",
        "PSA 4.1 ng/mL in 2021 and 6.3 ng/mL in 2023",
        "insulina glargina 20 UI por la noche",
        "mujer de 45 años con disnea de 2 semanas",
        "TA 140/90 mmHg, FC 110 lpm, Tª 38,5 ºC",
        "hemoglobina glicosilada 7,2 %",
        "ingresó en 2019 por neumonía",
        "cama 4, habitación 12",
        "paracetamol 1 g cada 8 horas",
        "Apgar 8/9, 3.200 g al nacer",
        "edad 40-49, varón",
        "score de Wells 4, CURB-65 2",
        "colesterol LDL 160 mg/dL",
        "BP readings 130/80 125/78 118/76",
        "sats 92 94 96 98% on escalating oxygen",
        "FEV1 2.1 L (65% predicted), FEV1/FVC 0.62",
        "dose titrated 25 50 75 100 mg over four weeks",
        "tumour 3.5 x 2.1 x 1.8 cm",
        "stage T2N1M0, Gleason 3+4=7",
        "CHA2DS2-VASc 4, HAS-BLED 2",
        "born at term by caesarean section",
        "nació a término, parto normal",
        "she was born in 1985",
        "Dr Smith saw him at 10:30",
        "follow-up in 3 months at clinic 4",
        "blood culture 2/2 positive",
        "lactate 4.2 mmol/L at 14:05",
        "vitamin D 12 ng/mL, B12 180 pg/mL",
        "NYHA class III, 6-minute walk 320 m",
        "T4 12.3 pmol/L, TSH 0.01 mU/L",
        "calle: none, homeless for 2 years",
        "walked 2 Main blocks daily",
        "ferritin 712 ng/mL",
        "ward 7B, bay 3",
        "reference range 135-145 mmol/L",
        "visits 2019-2021, 3 per year",
        "C/S pending, C/S 3 days ago negative",
        "patient at clinic dot matrix printout",
        "AV block grade 2 on ECG",
    ];

    [Fact]
    public void Every_identifier_in_the_table_is_found_with_its_kind_and_span()
    {
        var misses = new List<string>();
        foreach (var (text, kind, identifier) in WithIdentifiers)
        {
            var normalized = TextNormalization.Normalize(text);
            var id = TextNormalization.Normalize(identifier);
            var at = normalized.IndexOf(id, StringComparison.Ordinal);
            var found = Deidentification.Find(text);
            var hit = found.Any(f => f.KindName == kind && f.Start <= at && at + id.Length <= f.Start + f.Length);
            if (!hit) misses.Add($"{kind}: {text} -> [{string.Join(", ", found)}]");
        }
        output.WriteLine($"{WithIdentifiers.Length} texts with identifiers, {misses.Count} missed");
        foreach (var kind in new[] { E, P, N, A, D })
            output.WriteLine($"  {kind}: {WithIdentifiers.Count(w => w.Kind == kind)}");
        Assert.True(WithIdentifiers.Length >= 80);
        Assert.Empty(misses);
    }

    [Fact]
    public void Clinical_text_that_looks_alike_is_not_refused()
    {
        var falseAlarms = ClinicalTexts
            .Select(t => (Text: t, Found: Deidentification.Find(t)))
            .Where(x => x.Found.Count > 0)
            .Select(x => $"{x.Text} -> [{string.Join(", ", x.Found)}]")
            .ToList();
        output.WriteLine($"{ClinicalTexts.Length} clinical texts, {falseAlarms.Count} false alarms");
        Assert.True(ClinicalTexts.Length >= 60);
        Assert.Empty(falseAlarms);
    }

    [Theory]
    [InlineData("12345678A")] // wrong DNI check letter
    [InlineData("X1234567A")] // wrong NIE check letter
    [InlineData("12.345.678-4")] // wrong RUT check digit
    [InlineData("943 476 5918")] // wrong NHS checksum
    [InlineData("GOMA850403HDFRRN08")] // wrong CURP check digit
    [InlineData("000-12-3456")] // never-issued SSN area
    public void A_wrong_check_digit_is_not_an_id(string text) =>
        Assert.DoesNotContain(Deidentification.Find(text), f => f.Kind == IdentifierKind.NationalId);

    [Fact]
    public void Several_identifiers_are_found_in_order_without_overlap()
    {
        var found = Deidentification.Find("DOB 1985-04-03; tel 612 34 56 78; ana@gmail.com; Calle Mayor 5");
        Assert.Equal(
            [IdentifierKind.DateOfBirth, IdentifierKind.Phone, IdentifierKind.Email, IdentifierKind.StreetAddress],
            found.Select(f => f.Kind));
        Assert.All(found.Zip(found.Skip(1)), p => Assert.True(p.First.Start + p.First.Length <= p.Second.Start));
    }

    [Fact]
    public void Empty_and_missing_text_have_no_identifiers()
    {
        Assert.Empty(Deidentification.Find(null));
        Assert.Empty(Deidentification.Find(""));
        Assert.Empty(Deidentification.Find("   \n "));
    }

    [Fact]
    public void Findings_print_kind_and_span_but_never_the_text()
    {
        var found = Assert.Single(Deidentification.Find("call 612 34 56 78"));
        Assert.Equal(IdentifierKind.Phone, found.Kind);
        Assert.Equal(5, found.Start);
        Assert.Equal(12, found.Length);
        Assert.DoesNotContain("612", found.ToString());
    }

    [Fact]
    public void Each_kind_in_each_field_becomes_one_message_naming_the_kind_and_never_the_identifier()
    {
        var errors = new ValidationErrors();
        var clean = Deidentification.CheckAll(errors, new Dictionary<string, string?>
        {
            ["title"] = "Chest pain in a 45-year-old",
            ["history"] = "Lives at 123 Main Street; DOB 1985-04-03; wife on (555) 123-4567 or 612 34 56 78",
            ["findings"] = "BP 140/90, HbA1c 7.2%",
            ["question"] = "DNI 12345678Z, write to ana at gmail dot com?",
            ["tags[1]"] = null,
        });

        Assert.False(clean);
        var dict = errors.ToDictionary();
        Assert.Equal(["history", "question"], dict.Keys.Order());
        Assert.Equal(
            ["looks like a date of birth: remove identifiers", "looks like a phone number: remove identifiers",
             "looks like a street address: remove identifiers"],
            dict["history"].Order());
        Assert.Equal(
            ["looks like a national id number: remove identifiers", "looks like an email address: remove identifiers"],
            dict["question"].Order());
        foreach (var secret in new[] { "123 Main", "1985", "555", "612", "12345678", "gmail", "ana" })
            Assert.All(dict.Values.SelectMany(v => v), m => Assert.DoesNotContain(secret, m));
    }

    [Fact]
    public void Every_table_identifier_yields_a_message_without_it()
    {
        foreach (var (text, kind, identifier) in WithIdentifiers)
        {
            var errors = new ValidationErrors();
            Assert.False(Deidentification.Check(errors, "history", text));
            var messages = errors.ToDictionary()["history"];
            Assert.Contains(messages, m => m.EndsWith(": remove identifiers", StringComparison.Ordinal));
            Assert.All(messages, m => Assert.DoesNotContain(identifier, m, StringComparison.OrdinalIgnoreCase));
            Assert.Contains(Deidentification.Message(KindOf(kind)), messages);
        }
    }

    [Fact]
    public void A_clean_case_adds_no_errors()
    {
        var errors = new ValidationErrors();
        Assert.True(Deidentification.CheckAll(errors, ClinicalTexts.Select((t, i) => new KeyValuePair<string, string?>($"f{i}", t))));
        Assert.True(errors.IsValid);
    }

    [Fact]
    public void Cost_per_two_thousand_character_case()
    {
        var text = string.Concat(Enumerable.Repeat(string.Join(". ", ClinicalTexts.Take(12)) + ". ", 10))[..2000];
        for (var i = 0; i < 20; i++) Deidentification.Find(text);
        const int runs = 200;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < runs; i++) Deidentification.Find(text);
        sw.Stop();
        output.WriteLine($"{sw.Elapsed.TotalMicroseconds / runs:F0} µs per 2,000-character case text");
        Assert.Empty(Deidentification.Find(text));
    }

    private static IdentifierKind KindOf(string name) =>
        Enum.GetValues<IdentifierKind>().Single(k => Deidentification.KindName(k) == name);
}
