namespace HealthActors.Grains.Abstractions.Chat;

/// <summary>
/// One expression of a red flag, over folded words. <see cref="Pattern"/> is a list of word groups separated by
/// spaces; a group lists alternatives separated by '|'; an alternative ending in '*' is a stem ("breath*" is
/// breath, breathe, breathing), and "@name" stands for a concept of <see cref="RedFlagKnowledge.Concepts"/>.
/// Ordered: the groups appear in that order; otherwise in any order. Every group must fall within
/// <see cref="Span"/> consecutive words (default: one more than the number of groups, so one word may sit in
/// between) of one sentence.
/// </summary>
/// <remarks>
/// Idiom: the expression is also a figure of speech ("this traffic is giving me a heart attack", "casi me da un
/// infarto"), so a hyperbole word just before it (<see cref="RedFlagKnowledge.HyperboleCues"/>) makes it one.
/// Only named conditions carry it: a symptom said plainly ("chest pain down my arm") is never a figure of speech.
/// </remarks>
public sealed record RedFlagRule(string Pattern, int? Span = null, bool Ordered = true, bool Idiom = false);

public sealed record RedFlagCategoryKnowledge(string Id, IReadOnlyList<RedFlagRule> English, IReadOnlyList<RedFlagRule> Spanish);

/// <summary>
/// The red-flag knowledge base: per triage category, the ways patients and relatives say it in English and
/// Spanish, written as data for <see cref="RedFlagDetector"/>. Words are as <see cref="RedFlags.Fold"/> leaves them
/// (lower case, no accents) and with apostrophes dropped ("can't" is "cant").
/// </summary>
public static class RedFlagKnowledge
{
    /// <summary>A phrase: these groups in this order, at most one extra word in between overall.</summary>
    private static RedFlagRule P(string pattern, int? span = null) => new(pattern, span, Ordered: true);

    /// <summary>A co-occurrence: these groups in any order within <paramref name="span"/> words.</summary>
    private static RedFlagRule N(string pattern, int span = 5) => new(pattern, span, Ordered: false);

    /// <summary>A phrase naming a condition that people also use as a figure of speech (see <see cref="RedFlagRule.Idiom"/>).</summary>
    private static RedFlagRule I(string pattern) => new(pattern, null, Ordered: true, Idiom: true);

    public static readonly IReadOnlyDictionary<string, string> Concepts = new Dictionary<string, string>
    {
        ["pain"] = "vice|vise|torno|prensa|peso|weight|pain*|hurt*|ache|aches|aching|pressure|tight*|squeez*|crush*|heavy|heaviness|dolor*|duel*|opresion|oprim*|presion|apret*|aprieta|pesadez|punzada*|puntada*",
        ["chest"] = "chest|chets|chset|chst|chesst|cheast|pecho|pexo|pechp|pcho|torax*|toracic*|torasic*|thorax|breastbone|sternum|esternon",
        ["arm"] = "arm|arms|jaw|shoulder|brazo|brazos|mandibula|quijada|hombro|neck|cuello|back|espalda",
        ["sweat"] = "sweat*|clammy|sudor*|sudando|sudoroso|transpir*",
        ["breathe"] = "breath*|breth*|breeth*|brething|breating|respir*|respirar",
        ["cant"] = "cant|cannot|cnt|couldnt|unable|hardly|barely",
        ["face"] = "face|mouth|smile|lip|cara|boca|rostro|labio",
        ["droop"] = "droop*|drop*|dropped|crooked|uneven|lopsided|sagging|sag*|fallen|falling|slanted|twisted|caid*|cayo|cae|torci*|torce*|tuerce|torcid*|chuec*|ladead*|desviad*|colgando",
        ["speech"] = "speech|speaking|talking|talk|words|speak|habla|hablar|hablando|palabras|lengua",
        ["garbled"] = "slur*|slurr*|drunk|mumbl*|babbl*|garbled|weird|strange|funny|nonsense|jumbled|gibberish|raro|rara|arrastr*|trab*|enred*|extran*|incoherent*|incomprensible",
        ["side"] = "side|half|lado|mitad",
        ["weak"] = "numb*|weak*|paraly*|limp|dead|tingl*|dormid*|durmio|durmi|adormec*|entumec*|paraliz*|debil*|flojo|floja|hormigue*",
        ["throat"] = "throat|garganta|airway",
        ["closing"] = "clos*|tight*|shut*|swell*|swollen|cierr*|cerr*|cierra|apret*",
        ["swelling"] = "swell*|swollen|huge|enorme*|inflad*|hinch*|inflam*",
        ["allergen"] = "allerg*|alerg*|hives|welts|ronchas|urticaria|peanut*|nuts|mani|cacahuet*|bee|wasp|abeja|avispa|sting*|stung|picadura|pico|shellfish|mariscos|penicillin*|penicilina|amoxicil*|antibiotic*|shrimp*|prawn*|shellfish|crab|lobster|camaron*|gamba*|langostino*|marisco*|egg|eggs|huevo|milk|leche|sesame|sesamo|kiwi|walnut*|cashew*|almond*|pecan*|hazelnut*|nueces|nuez|almendra*|avellana*|latex|contrast|contraste|reaction|reaccion",
        ["blood"] = "bleed*|blood*|bled|sangr*|hemorrag*|nosebleed*",
        ["vomit"] = "vomit*|throw*|threw|puk*|vomito|vomitando|vomitar|vomita|vomitado|arcadas",
        ["cough"] = "cough*|coff*|tos|toso|tose|toses|tosi*|tosiendo|escup*|spit*|esput*",
        ["pregnant"] = "pregnan*|prego|embaraz*|encinta|gestacion|gestante",
        ["wake"] = "wake|waking|woke|rouse|respond*|responsive|despierta|despertar|despertarlo|despertarla|despierte|reacciona|reaccionar|reaccione",
        ["head"] = "head|headache|cabeza|cefalea|jaqueca|migrana|migraine",
        ["sudden"] = "sudden*|suddenly|nowhere|explo*|thunderclap|thunder|repente|repentin*|subit*|golpe|explot*|estall*|trueno",
        ["severe"] = "severe|intense|terrible|horrible|worst|excruciating|unbearable|agoniz*|awful|strong|fuerte|fortisimo|intens*|insoportable|brutal|terrible|peor|tremendo|horroroso|atroz|muchisimo",
        ["neck"] = "neck|cuello|nuca",
        ["stiff"] = "stiff*|rigid*|duro|dura|tieso|tiesa|bend|doblar|agachar|mover|move|touch|tocar",
        ["fever"] = "fever*|temp|temperature|febril|fiebre|calentura|temperatura|afiebrad*|hot|burning|boiling|ardiendo|hirviendo|calent*",
        ["rash"] = "rash|spots|spot|dots|marks|manchas|mancha|sarpullido|erupcion|puntitos|puntos|ronchitas|pintas|manchitas",
        ["pills"] = "prescription|receta|insulina|patch*|parche*|pills|pill|tablets|tabs|meds|medicine*|medication*|paracetamol|tylenol|ibuprofen|ibuprofeno|aspirin*|aspirina|diazepam|alprazolam|tramadol|metformin*|advil|xanax|sleeping|oxy*|insulin|pastillas|pastilla|comprimidos|pildoras|medicamentos|remedios|medicinas|clonazepam|rivotril|benzos|antidepresivos|antidepressants|paracetamol*|tylenol*|ibuprofen*|aspirin*|pill*|tablet*|capsul*|pastill*|comprimido*|pildora*|medicament*|ambien|zolpidem|lorazepam|trankimazin|valium|orfidal|lexatin|tranquilizant*|somnifer*|dormir|sertralin*|fluoxetin*|quetiapin*|opioid*|opiaceo*|morphine|morfina|codeine|codeina|painkiller*|analgesic*|calmante*",
        ["ingest"] = "took|taken|swallow*|ate|eaten|drank|drunk|downed|gulped|popped|tomo|tome|tomado|tomo|trago|trague|tragado|comio|bebio|ingirio|ingerido|tomando",
        ["lots"] = "10|12|14|15|16|18|20|24|25|30|35|40|45|50|60|70|80|90|100|ten|twelve|fifteen|twenty|thirty|forty|fifty|diez|doce|quince|veinte|treinta|cuarenta|cincuenta|dozen|docena|whole|entire|all|bottle|box|pack|packet|handful|many|bunch|lots|todas|todos|toda|caja|frasco|blister|punado|muchas|muchos|demasiad*|entera|entero|tira|bote|botella|monton|montones|pila|bocha|chingo|loads|heaps|tons|fistful|punados",
        ["poison"] = "bleach|detergent|cleaner|antifreeze|pod|pods|battery|batteries|lejia|lavandina|cloro|veneno|raticida|rat|poison|pesticide*|insecticid*|plaguicida|amoniaco|ammonia|gasolina|gasoline|kerosene|querosen*|soda|caustica|lye|drain|destapacanos|mushrooms|hongos|setas|limpieza|cleaning|limpiador*|desinfect*|disinfect*|chemical*|quimico*|acid|acido|lavavajillas|dishwasher|suavizante|softener|solvent*|disolvente|thinner|aguarras|matarratas|herbicid*|glifosato|paint|pintura|perfume|enjuague|mouthwash|lamp|oil|aceite|alcohol|vodka|ethanol",
        ["hit"] = "hit|hits|bang*|banged|struck|knock*|fell|fall|falls|golpe*|golpeo|pego|cayo|cai|caida|cayendo|bumped|smacked|slammed",
        ["confused"] = "confus*|dizzy|vomit*|throw*|threw|puk*|sleepy|drowsy|repeat*|repite|confundid*|mare*|somnolient*|desorientad*|disoriented|incoheren*|knocked|blacked|dormido|dormida|memory|memoria|recuerda|remember",
        ["belly"] = "belly|stomach|abdom*|tummy|gut|panza|barriga|estomago|vientre|guata|tripa",
        ["infection"] = "infection|infected|infeccion|infectad*|uti|urinaria|wound|herida|surgery|operation|cirugia|operacion|pneumonia|neumonia|cellulitis|celulitis|fever|fiebre",
        ["septic"] = "dying|muriendo|muero|morir|acelerad*|palpitacion*|pounding|fast|rapid*|rapido|manchad*|amoratad*|reconoce|recognize|recognise|confund*|mottled|blotchy|moteada|marmore*|jaspead*|delirious|delirando|delira|desorientad*|disoriented|grey|gray|gris|racing|taquicardia|shaking|rigors|temblores|freezing|helada|frio|fria|barely",
        ["drugs"] = "drugs|drug|cocaine|coke|crack|heroin*|fentanyl*|fentanilo|meth|molly|mdma|ecstasy|extasis|ketamin*|ghb|opioid*|opiaceo*|pastis|drogas|droga|cocaina|heroina|cristal|alcohol|pills|pastillas|xanax|benzos",
        ["youth"] = "little|small|young|younger|baby|kid|child|teen|teenager|toddler|chico|chica|nino|nina|pequeno|pequena|bebe|joven|adolescente|1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|anos",
        // Medicines where a second or third dose is itself dangerous.
        ["narrow"] = "warfarin|coumadin|sintrom|acenocumarol|digoxin*|lithium|litio|methotrexate|metotrexato|insulin|insulina|methadone|metadona|fentanyl*|fentanilo|morphine|morfina|oxycodone|oxicodona|tramadol|opioid*|opiaceo*",
        ["liquidmed"] = "syrup|jarabe|drops|gotas|dose|doses|dosis|insulin|insulina|liquid|liquido",
        ["kid"] = "kid|kids|son|daughter|toddler|baby|child|boy|girl|grandson|granddaughter|nephew|niece|hijo|hija|nene|nena|bebe|nieto|nieta|nino|nina|chico|chica|pequeno|pequena|sobrino|sobrina|crio|cria|peque",
        ["epi"] = "epipen|epi|epinephrine|adrenaline|adrenalina|jext|auvi",
        ["unmoving"] = "moving|move|moves|answering|answer|answers|responding|respond|responds|breathing|mueve|contesta|responde|reacciona|respira|habla",
    };

    public static readonly IReadOnlyList<RedFlagCategoryKnowledge> Categories =
    [
        new(RedFlagCategories.AcuteCoronarySyndrome,
            English:
            [
                N("@pain @chest", 6), I("heart attack|atack|attak"), P("having|had|another a|an heart"), N("elephant @chest", 6),
                N("@pain heart", 3), N("@chest @arm", 8), N("@pain|numb* left @arm @sweat", 10), P("angina"), P("cardiac"),
                // Clutching the chest and turning grey is how a bystander sees a heart attack.
                N("clutch*|grab*|gripp*|gripping @chest", 4), N("@chest grey|gray|ashen|pale", 6),
            ],
            Spanish:
            [
                N("@pain @chest", 6), I("infarto|infartando|infartado|infarte"), I("ataque al|del corazon|cardiaco"), I("ataque cardiaco"),
                N("@pain corazon", 3), N("@chest @arm", 8), N("@pain|hormigue* izquierd* @arm @sweat", 10), P("angina de pecho"),
                N("agarr*|sujet* @chest", 4), N("@chest gris|grisaceo|ceniza|palid*", 6),
            ]),
        new(RedFlagCategories.BreathingDifficulty,
            English:
            [
                P("@cant @breathe", 3), P("can not @breathe", 3), P("@cant catch|get breath*", 4), P("breathing|breath bad|terrible|awful|worse|horrible|scary", 5), N("@breathe effort|esfuerzo", 4), P("short* of breath*"), P("sob"),
                N("trouble|difficult*|difficulty|hard|struggl*|labou*|labor*|fighting @breathe", 4), P("gasp*"), P("chok*"), P("suffocat*"),
                P("not|isnt|stopped|stopping @breathe", 3), P("no air"), P("@cant get air|enough"), N("@breathe @cant talk|speak|sentence*|sentences|finish", 8),
                N("lips|face|fingernails|nails blue|purple|grey|gray", 4), N("inhaler|puffer|nebuli* not|isnt|doesnt|dont|aint help*|work*", 5),
                N("ribs suck*|pulling", 4), P("turning blue"), P("grunt*"), N("@breathe weird|strange|funny|odd|noisy", 4),
                N("wheez*|gasp*|breathless|winded @severe|hard|badly|bad|talk|speak|sentence*|sentences|lips|blue|stop*", 6),
            ],
            Spanish:
            [
                P("no puedo|puede|podia|pudo|logro|logra|podemos @breathe", 4), P("ahog*"), N("falta|faltando|falto|faltaba aire|respiracion", 3),
                N("dificultad* @breathe", 4), N("cuesta|costando|costaba @breathe", 4), P("no me|le entra aire", 5), P("asfixi*"),
                P("no respira|respiraba"), P("dejo|deja de respirar"), N("labios|cara|unas morad*|azul*|gris*", 4),
                N("inhalador|puff|nebuliz* no sirve|funciona|hace|ayuda", 5), N("costillas hund*", 4), P("sin aire"), P("no alcanza aire", 5), P("respiracion mal|terrible|horrible|fatal|peor", 4),
                N("respira|respirando muy rapido|agitad*|ruidos|silb*", 4),
                N("silb*|sibilanc*|jade*|ahog* @severe|mucho|hablar|habla|labios|morad*|azul*", 6),
            ]),
        new(RedFlagCategories.Stroke,
            English:
            [
                I("stroke|strok|stoke"), N("@face @droop", 4), P("slur*"), N("@speech @garbled", 4), P("@cant speak|talk|get words", 4),
                N("half|one|left|right side|face|body @weak", 6), N("sudden* cant|cannot|doesnt|dont understand|talk|speak|see", 6), N("sudden* @weak", 4), N("face|arm|leg @weak one", 6), P("mini stroke"), P("tia"), N("@cant move|lift|feel left|right|one|half side|arm|leg|hand", 6),
            ],
            Spanish:
            [
                I("acv|ictus|avc"), I("derrame cerebral"), P("embolia"), N("@face @droop", 4), N("@speech @garbled", 3), N("boca|cara|rostro lado", 5), N("repente no entiende|habla|ve", 6),
                P("no puede|puedo|podia|pudo|podra|logra hablar|articular", 4), N("@side cuerpo|cara|brazo|pierna @weak", 6), N("repente|repentin* @weak", 5),
                N("perdi|perdio fuerza brazo|pierna|lado", 6), P("no puedo|puede mover el|la|mi brazo|pierna", 5),
            ]),
        new(RedFlagCategories.Anaphylaxis,
            English:
            [
                P("anaphyla*|anafila*"), N("@throat @closing", 4), N("tongue|lips|face|eyes @swelling", 4),
                N("@allergen @breathe|throat|swell*|swollen|huge|puffy|dizzy|faint*|wheez*|swallow*|hives|collaps*", 10),
                N("@epi used|use|using|gave|give|given|giving|jab*|inject*|needed|twice|still|again|worn", 6),
                N("allergic reaction", 3),
            ],
            Spanish:
            [
                P("anafila*"), N("@throat @closing", 4), N("lengua|labios|boca|cara|ojos|garganta @swelling", 4),
                N("@allergen @breathe|garganta|hinch*|inflam*|mare*|desmay*|silb*|tragar|trago|ronchas|ahog*", 10),
                N("@epi puse|pusimos|puso|poner|ponerle|inyect*|use|uso|usamos|usar|aplic*|pinch*|clav*|sigue|todavia", 6), N("reaccion alergica grave|fuerte", 4),
            ]),
        new(RedFlagCategories.SevereBleeding,
            English:
            [
                N("@blood wont|doesnt|cant|never|isnt|not|aint stop|stopping|stops", 8), N("heavy|heavily|severe|lot|lots|uncontrol*|spurting|gushing|pouring|soaked|soaking|squirting|everywhere|tons|crazy|badly|profuse* @blood", 4),
                N("@vomit @blood", 6), N("@cough @blood", 6), P("coffee ground*"), N("black|tarry stool*|poop|poo", 4),
                N("blood soaked|through towel*|bandage*", 6), N("soak*|soaking|fill*|filling pad|pads|tampon*|towel*", 5), N("deep cut|gash|wound @blood", 6), P("hemorrhag*|haemorrhag*"),
            ],
            Spanish:
            [
                P("hemorrag*"), N("sangr*|sangre mucho|muchisimo|abundante*|chorro*|litros|bastante|parar|abundant*|montones|monton|todos", 4),
                N("no para|paro|deja|dejo|detiene|cesa|corta sangr*|sangre", 8), N("@vomit sangre", 6), N("@cough sangre", 6),
                N("heces|caca|popo negr*", 4), N("empapad* sangre|toalla*|venda*", 6), N("empap*|llen* toalla*|toallita*|compresa*|tampon*|apósito*|aposito*", 5), N("sangr*|sangre borbot*|mares|parar", 4), N("cortada|corte|herida profund* sangr*", 6),
            ]),
        new(RedFlagCategories.Pregnancy,
            English:
            [
                N("@pregnant @blood|spotting", 12), N("@pregnant severe|bad|strong|intense|terrible|really|sharp|stabbing @pain|cramp*", 14),
                N("@pregnant cramp*|contraction*", 10), P("ectopic"), N("@pregnant water broke|leaking|fluid", 12),
                N("@pregnant baby not|stopped|hasnt moving|moved|kicking", 12), N("@pregnant @pain|hurt* belly|tummy|stomach", 12),
                N("@pregnant @severe headache|head", 14), N("@pregnant blurry|blurred|vision|flashing|lights|seeing", 14), N("@pregnant swollen|swelling face|hands", 14),
                N("baby|babys|movements|kicks hasnt|not|stopped|less|fewer|no moved|moving|move|kick*|kicked weeks|pregnan*", 12),
            ],
            Spanish:
            [
                N("@pregnant @blood|manch*", 12), N("estoy de semanas|meses @blood|manch*|contracc*|colic*", 10), N("@pregnant fuerte|mucho|intenso|terrible @pain|colic*|contracc*", 14),
                N("@pregnant colic*|contracc*", 10), P("ectopico"), N("@pregnant rompio|bolsa|fuente|liquido", 12),
                N("@pregnant bebe no se mueve|patea", 12), N("@pregnant @pain @belly", 12),
                N("@pregnant @severe cabeza", 14), N("@pregnant vision|borros*|lucecitas|luces|destellos|manchitas", 14), N("@pregnant hinchad* cara|manos", 14),
                N("bebe no|dejo|menos mueve|movido|patea|pateado|moverse|movimientos semanas|embaraz*", 12), P("aborto espontaneo"), N("perdiendo el bebe", 4),
            ]),
        new(RedFlagCategories.Unconscious,
            English:
            [
                P("unconscious|unconcious|unconsious|unresponsive"), N("@cant|wont|not|isnt|doesnt|didnt|hasnt @wake him|her|them|my|he|she|hes|shes", 6),
                P("seizure*|seizing|siezure*|convuls*|fitting"), N("shak*|jerk*|twitch*|limp|floppy|eyes not|isnt|no|wont responding|respond|responsive|aware|conscious", 8), P("having a fit"), P("passed|blacked out and"), P("knocked out"),
                N("fainted|collapsed|passed|blacked @cant|wont|not|isnt|still|hasnt|doesnt|didnt", 6), P("no pulse"), P("not breathing"),
                P("isnt|stopped breathing"), P("not|isnt|wont|doesnt @unmoving not|isnt|wont|doesnt|or|nor @unmoving", 6), N("floor|ground|bathroom|bed not|isnt|wont|doesnt @unmoving", 6), N("@cant|wont|not|isnt|doesnt|didnt|hasnt open|opening eyes", 5), N("foam*|frothing|drool* shaking|jerking|stiff|rigid|fitting", 6), N("stiff|rigid shaking|jerking", 4), P("cardiac arrest"), P("heart stopped"), P("collapsed"), P("floppy"), N("eyes rolled|rolling back", 4),
            ],
            Spanish:
            [
                P("inconsciente|inconciente"), P("no|ni despierta|despertarlo|despertarla|reacciona|reaccionar|despierte|reaccione", 4),
                N("no responde|contesta desmay*|cayo|piso|suelo|ojos|sacud*|tirad*|llamo|grito", 10), P("convulsi*|convulcion*|convulciona*"),
                P("ataque|crisis epilep*"), P("perdio|perdi|perdido el|la conocimiento|conciencia|sentido", 4), P("se desmayo y no", 5),
                P("sin pulso"), P("no respira"), P("paro cardiaco|cardio*"), P("espuma por la boca", 4), N("espuma|babea*|babeando tiembla|temblando|sacud*|tieso|tiesa|rigid*|convuls*", 6), N("tieso|tiesa|rigido|rigida|duro|dura temblando|tiembla|sacudiendo|sacude", 4), N("ojos blanco|volteados|para atras", 4),
                P("no vuelve en si"), P("no|ni abre|abria|habre los ojos", 4), N("temblando|tiembla|sacud*|flacid*|ojos no|ni responde|reacciona|contesta", 8), P("no @unmoving ni|no|nor @unmoving", 6), N("suelo|piso|bano|cama|tirad* no @unmoving", 6), P("desvanec*"),
            ]),
        new(RedFlagCategories.ThunderclapHeadache,
            English:
            [
                N("worst headache|head|migraine", 4), P("thunderclap"), N("@sudden @severe headache|head", 8), N("@sudden headache|head explod*|exploding", 6),
                N("hammer|bat|lightning|thunder|explosion|explosive|exploded|bomb|blast|gunshot|seconds|instantly head|headache", 10), N("headache|head explod*|exploding|exploded", 5), N("@head never ever|before|like", 8),
                N("most @severe|painful headache|head", 5), N("@sudden bad|@severe headache|head", 8), N("@head worst pain|ache|felt ever|life|never", 12), N("@severe headache ever|life|never", 8), N("headache ever had|felt|experienced|gotten", 6),
            ],
            Spanish:
            [
                N("peor dolor cabeza|cefalea", 5), N("@sudden @severe cabeza|cefalea|jaqueca", 8), N("cabeza explot*|estall*|revent*", 5),
                N("martillazo|rayo|trueno|bomba|explosion|latigazo|estallido|balazo|segundo|segundos cabeza|cefalea", 10), N("cabeza peor vida|nunca|jamas", 10), N("cabeza|cefalea como|tan|asi nunca|jamas", 6), N("jamas|nunca tuve|senti|habia un dolor de cabeza asi|igual", 12),
            ]),
        new(RedFlagCategories.Meningitis,
            English:
            [
                P("meningitis|menengitis|meningococ*"), N("@neck @stiff @fever", 15), N("@rash doesnt|dont|wont|not|no|isnt|arent|never fade*|fading|blanch*|disappear*|go glass|press*|pressing|fever", 14), N("@rash doesnt|dont|wont|not|no|isnt|arent|never fade*|fading|blanch*|disappear*", 8),
                N("purple|dark|maroon spots|rash|dots|blotch*|blotches|patches|marks @fever", 20), P("petechia*|purpura"), N("@neck @stiff light|vomit*|headache", 12), N("@neck @fever light|photophob*|@rash", 12),
                N("bulg*|swollen|tense|raised soft|fontanel*|fontanelle", 4),
            ],
            Spanish:
            [
                P("meningitis"), N("@neck @stiff @fever", 15), N("@rash no desaparec*|borra*|quita*|aclar*|van vaso|vidrio|presion*|aprieto|apreto|apret*|fiebre", 14),
                N("morad*|violace*|puntitos|oscur* @fever", 20), P("petequia*|purpura"), N("@neck @stiff luz|vomit*|cabeza", 12), N("@neck @fever luz|fotofob*|@rash", 12),
                N("abomb*|hinchad*|tens*|levantad* fontanel*|mollera", 4),
            ]),
        new(RedFlagCategories.InfantFever, English: [], Spanish: []),
        new(RedFlagCategories.Suicide,
            English:
            [
                P("suicid*|sucid*|suicid"), P("kill|killing|end myself|himself|herself|themself|themselves"), P("end|ending|take|taking my|his|her|their life|lives", 4),
                P("end|ending|ended it all"), P("want|wanna it all end|stop|over", 5), P("wont|not be around much|any longer|more|anymore", 5), P("going|gonna|want|wanna|decided|planning|plan|thinking to|about end|ending it", 4),
                N("@pills ready|saved|stockpil*|hoarded|hoarding|collecting|counted|lined|laid|lining", 5), P("done with life|living", 3), N("going|gonna|plan|planning take|swallow all|whole|every @pills|bottle|box|pack|packet", 10), P("sleep|asleep forever", 3), P("plan|planning|going|gonna to take|swallow them all", 5), P("want|wanna|wants|going to die"), P("dont|doesnt|not want|wanna live|alive|here|exist|wake|awake", 5),
                N("better off without me|him|her", 6), P("no reason|point living|live|go|going|anymore", 5), P("self harm|harming"), P("selfharm*"),
                P("hurt|hurting|cut|cutting|harm|harming|burn|burning myself|himself|herself|themselves", 3), N("cut|cuts|cutting|slit|slash* wrist*|veins|thighs|forearm*", 4), P("nobody|noone|one would|will miss|care me|if", 5),
                P("wish i|he|she dead|die|died", 5), P("sleep|asleep never|not wake|waking", 6), N("letter*|note*|notes goodbye|farewell", 10), P("jump off|from|in front", 3), N("goodbye letter|note|notes|texts", 4),
                P("cant go on anymore|living", 4), P("not worth living", 4), P("everyone would be better"), P("disappear forever"), P("overdose on purpose"),
                P("plan to kill|die|end", 4),
                P("dont|cant|doesnt|no see|find point|reason going|living|life|anything|anymore|on", 8), P("im|am|feel|being|just a burden", 4),
                P("burden to|on everyone|everybody|family|others|them", 4), P("want|wanna|wish to|i disappear|vanish", 4),
            ],
            Spanish:
            [
                P("suicid*"), P("matarme|matarse|suicidarme|suicidarse"), P("quiere|quiero|queria|quiera|va|voy matar|matarse|matarme", 4), P("quitarme|quitarse la vida"), P("quiero|quiere|queria morir*", 3),
                P("no quiero|quiere seguir|vivir|despertar|existir", 4), N("no|ningun|sin sentido seguir|vivir|viviendo|vida", 8), N("mejor sin mi|el|ella", 6),
                P("acabar|terminar con todo", 3), P("acabar|terminar con mi|su vida", 4), P("hacerme|hacerse dano", 3), P("cortarme|lastimarme|autolesion*|cortandome|cortandose"),
                P("se corta|lastima", 3), N("me|se corto|corta|cortando|lastimo|quemo brazos|munecas|piernas|venas|muslos", 5), P("para no sentir|sentir nada|castigarme|desahogarme", 3),
                P("acabar|terminar con esto|todo|mi|su", 3), P("desaparecer para siempre", 3), P("irme|irse para siempre", 3), P("no puedo|puede mas con la|esta|mi|su vida", 5), P("tirarme|tirarse|aventarme|lanzarme de|del|desde|por|bajo|al|a", 3), P("no quiero|quiere estar aqui|aca", 5), N("voy|pienso|planeo tomar|tomarme|tragarme todas|todo|toda|entero|entera @pills|frasco|caja|blister|bote", 8), P("dormir|dormirme|dormirse para siempre", 4), N("@pills preparad*|guardad*|juntad*|contad*|listas|alineadas", 5),
                P("nadie me extranaria|extranaria"), P("no veo|encuentro|tiene|le sentido|razon seguir|vivir|nada|vida", 8),
                P("soy|siento|sentirme una carga", 4), P("quiero|quisiera|quiere desaparecer|esfumarme", 3), P("ojala no despertar|despierte|despertarme", 4), P("ojala muerto|muerta|morirme|morir|desaparecer", 4), N("carta*|cartas despedida|despedirme|despidiendo", 6), P("dormir|dormirme|dormirse no|nunca despertar|despertarme|despertarse", 6),
                P("no aguanto|soporto mas vivir|la vida", 5), P("no vale la pena vivir|seguir", 6), P("ganas de morir|morirme|matarme|desaparecer", 3),
                P("no|sin|ningunas|pocas tengo|tiene|hay ganas de vivir|seguir", 4), P("terminar con mi vida", 4),
            ]),
        new(RedFlagCategories.Overdose,
            English:
            [
                P("overdos*|od|ods"), N("@kid @ingest @pills|@poison", 8), N("@ingest|took|used|snorted|injected|shot too|much|lot|mixed|bad @drugs", 6),
                N("@drugs party wont|cant|not|unresponsive|passed|blue|breathing", 12), N("@ingest @pills grandma*|grandpa*|mom*|mother*|dad*|father*|someone|else", 8), N("@ingest @lots @pills", 10), N("@ingest too|extra|double|triple @pills", 8), N("@ingest @narrow twice|double|triple|three|3|extra|times|x2|x3", 8), N("@ingest @lots|double|triple|extra|too @liquidmed", 8), N("@ingest|into @poison", 6),
                P("poisoned|poisoning"), N("carbon monoxide|co alarm", 4), P("took too many|much"), N("bottle|box|pack of @pills empty", 10),
                N("@pills gone|missing|empty bottle|box|pack|all", 8),
            ],
            Spanish:
            [
                P("sobredosis"), N("@kid @ingest @pills|@poison", 8), P("se paso|pasaron|pase|pasado con la|las|el|los|de @drugs", 5),
                N("@ingest|consumio|consumi|metio|esnifo demasiad*|mucha|mucho|mezclo|mal @drugs", 6), N("@ingest @narrow doble|triple|veces|tres|extra", 8), N("@ingest doble|triple|demasiad*|extra|equivoc*|@lots @pills|@liquidmed", 8), N("@ingest @pills abuel*|mama|papa|madre|padre|ajen*", 8), N("@ingest @lots @pills", 10), N("@ingest @poison", 6), P("envenen*"), N("intoxic* @pills|@poison|monoxido|gas|alcohol", 8),
                P("monoxido de carbono"), N("caja|frasco|blister vacia|vacio|vacias @pills", 10), P("tome|tomo demasiad*"),
            ]),
        new(RedFlagCategories.Trauma,
            English:
            [
                N("@hit @head @confused", 12), N("hit|struck|run|ran car|truck|bus|van|motorbike|motorcycle", 5), N("fell|fall|fallen off|from|down roof|ladder|balcony|stairs|floor|story|storey|tree|cliff|building", 6),
                P("stabbed|stabbing|gunshot|stab"), P("got|was|been|he|she|hes|shes shot"), N("bone sticking|poking|out|through", 5), N("@hit @head doesnt|dont|cant|no|not remember|recuerda|acuerda|reconoce|recognize|know", 14), N("car|motorcycle|bike|motorbike crash|accident|wreck|collision|crashed bleeding|unconscious|trapped|move|hurt|injured|badly|airbag|windshield|head", 12),
                N("cant|cannot feel|move legs|arms|neck", 5), N("crash*|accident|came|thrown|motorbike|motorcycle|bike|horse|fell not|isnt|wont|doesnt|cant making|make|makes sense", 12), P("head injury|trauma"), N("crushed|crush under|by", 6),
                // In that order: "his leg is bent the wrong way", not "I bent my knee the wrong way doing yoga".
                P("leg|legs|arm|arms|bone|knee|ankle|wrist|elbow|foot|hand is|was|looks|bent|facing|pointing bent|facing|pointing wrong|backwards|sideways|unnatural*", 6),
            ],
            Spanish:
            [
                N("@hit @head @confused", 12), P("atropell*"), N("cayo|cai|caida|cayendo techo|escalera|balcon|altura|piso|arbol|metros|andamio", 6),
                P("apunal*|acuchill*|dispar*|balead*|tiroteo|balacera|balazo|disparo|bala|navajazo|puñalada|punalada"), N("hueso afuera|salido|expuesta", 5),
                N("accidente|choque|chocamos|choco|volco|volcamos sangr*|inconsciente|atrapad*|mover|grave|herid*|fuerte|cabeza|golpe*", 12),
                N("no siente|siento|mueve|muevo piernas|brazos|cuello", 5), N("accidente|choque|choco|moto|caballo|cayo|caida confundid*|desorientad*|incoherent*", 10), P("traumatismo|trauma craneal|craneo"), N("aplastad*|aplasto", 5),
                P("pierna|brazo|hueso|rodilla|tobillo|muneca|codo|pie|mano doblad*|girad*|volteado|volteada reves|revez|atras|antinatural", 6),
            ]),
        new(RedFlagCategories.Sepsis,
            English:
            [
                P("sepsis|septic|septicemia|sepsys"), N("@infection @septic", 15), N("@fever mottled|blotchy|confus*|delirious", 12), N("@infection hasnt|havent|not|barely peed|pee|peeing|urinated", 15),
                N("blood poisoning", 3), N("chemo|chemotherapy|transplant|neutropen* @fever|shiver*|chills", 10), N("@fever not|isnt|doesnt|wont|cant|no making|make|makes sense", 10), N("@fever hands|fingers|feet|skin|lips|knees blue|bluish|grey|gray|purple", 12), N("@fever|@infection low|dropping|falling|crashing pressure|bp", 15), N("@fever doesnt|didnt|cant|not recognize|recognise|recognizing|peed|peeing", 10), N("very unwell|sick|ill @fever @septic", 15),
            ],
            Spanish:
            [
                P("sepsis|septic*|septicemia"), N("@infection @septic", 15), N("@fever moteada|confus*|confund*|delira*|jaspead*|marmore*", 12), N("@infection no|casi orin*|pis|hecho", 15),
                P("infeccion en la sangre", 4), P("infeccion generalizada", 3), N("quimio*|trasplante|neutropen* @fever|escalofrio*|tiembl*", 10), N("@fever sin|no sentido|coherente|incoherente", 10), N("@fever manos|dedos|pies|piel|labios|rodillas azul*|morad*|gris*", 12), N("@fever|@infection baja|bajisima|bajando|cayendo presion|tension", 15), N("@fever no reconoce|responde|orina|orino|orinado", 10),
            ]),
        new(RedFlagCategories.AcuteAbdomen,
            English:
            [
                N("@severe @belly @pain", 8), N("@belly rigid|hard|board", 6), N("doubled|curled over|up pain", 6),
                P("appendic*|apendic*"), N("testicle|testicular|balls|scrotum @pain|swollen|twist*", 6), N("@pain|started moved|migrat*|moving|spread* right|lower", 12), N("vomit*|throwing green|bile|poop", 4),
                N("cant|cannot stand|walk|move pain|belly|stomach", 8), N("right lower|side belly|tummy|abdomen pain|hurt*", 8), P("bowel obstruction"),
            ],
            Spanish:
            [
                N("@severe @belly @pain", 8), N("@belly dur*|tabla|rigid*", 6), P("apendic*"), N("testicul*|huevo*|bolas|escroto @pain|hinch*|torcid*", 6),
                N("vomit*|vomito verde|bilis|caca", 4), N("no puedo|puede caminar|moverme|pararme|enderezarme @pain", 10), N("lado derecho abajo|inferior @pain", 8), N("abajo|inferior derecha|derecho @pain", 6), N("@pain|empezo paso|bajo|corrio|movio derech*|abajo", 12),
                N("retuerce|retorciendo|retorcia|retorcerse dolor", 4), P("obstruccion intestinal"), N("@pain @belly no aguanto|aguanta|soporto", 10),
            ]),
    ];

    /// <summary>Fever words; with an infant under <see cref="RedFlagDetector.InfantAgeLimitDays"/> days a red flag of its own.</summary>
    public static readonly IReadOnlyList<RedFlagRule> Fever =
    [
        P("fever*|feverish|febrile|temp|temperature|hot|burning|boiling"), P("fiebre|febril|calentura|temperatura|afiebrad*|caliente|calent*|volando|ardiendo|hirviendo"),
        P("38*|39*|40*|100.4|100.5|101*|102*|103*|104*"),
    ];

    /// <summary>
    /// Words that deny what follows, or make it something else than a symptom now: "food poisoning", "the
    /// meningitis vaccine", "risk of a heart attack", "my grandfather died of a stroke".
    /// </summary>
    public static readonly IReadOnlyList<string> NegationCues =
    [
        "no", "not", "dont", "didnt", "doesnt", "isnt", "wasnt", "arent", "havent", "hasnt", "hadnt", "never", "without", "denies",
        "deny", "denied", "negative", "nor", "none", "nope", "sin", "ni", "nunca", "jamas", "niega", "tampoco", "ningun", "ninguna",
        "food", "alimentaria", "vaccine", "vaccines", "vaccinated", "vacuna", "vacunas", "vacunado", "vacunada", "shot",
        "risk", "riesgo", "prevent", "preventing", "prevenir", "prevencion", "avoid", "evitar", "symptoms", "signs", "sintomas", "signos",
        "died", "murio", "fallecio", "history", "antecedentes", "family", "cause", "causes", "causa", "causar", "provoca", "swimming", "swim", "natacion",
    ];

    /// <summary>
    /// A word shortly after an expression's word, in its clause, that makes it something else: "the meningitis
    /// vaccine".
    /// </summary>
    public static readonly IReadOnlyList<string> FollowingCues = ["vaccine", "vaccines", "shot", "vacuna", "test", "risk", "riesgo", "prevention", "prevencion"];

    /// <summary>As <see cref="FollowingCues"/> for one category only: breathing "por la nariz" is a blocked nose.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> CategoryFollowingCues = new Dictionary<string, IReadOnlyList<string>>
    {
        [RedFlagCategories.BreathingDifficulty] = ["nariz", "nose"],
        [RedFlagCategories.Anaphylaxis] = ["nariz", "nose"],
        // "Disappear from work for a while" is a wish for a break.
        [RedFlagCategories.Suicide] = ["rato", "while", "trabajo", "work", "weekend", "finde", "vacaciones", "vacation", "holiday", "holidays"],
    };

    /// <summary>A negation word followed by one of these is doubt, not denial: "no sé si", "not sure", "don't know".</summary>
    public static readonly IReadOnlyList<string> NegationReleases =
    [
        "se", "sabe", "sabemos", "saben", "sure", "know", "idea", "understand", "entiendo", "creo", "matter", "importa", "puedo", "puede",
        // "no soporta la luz", "no aguanta el dolor": not bearing a symptom is having it.
        "soporta", "soporto", "tolera", "tolero", "aguanta", "aguanto",
    ];

    /// <summary>Words that end the reach of a denial: "no fever but chest pain", "sin fiebre y me duele el pecho".</summary>
    public static readonly IReadOnlyList<string> ScopeEnds =
    [
        "but", "and", "y", "e", "pero", "aunque", "sino", "though", "although", "however", "now", "ahora", "then", "luego", "despues",
        "because", "porque", "since", "desde", "que", "suddenly", "today", "hoy", "i", "yo", "he", "she", "el", "ella", "my", "mi",
    ];

    /// <summary>Phrases that place a complaint in the past and settled (in the same sentence).</summary>
    public static readonly IReadOnlyList<RedFlagRule> PastOrResolved =
    [
        P("last year|summer|winter|spring|decade"), P("years|months ago"), P("el|la ano|mes|verano|invierno pasado|pasada"),
        P("hace anos|meses|tiempo|mucho"), P("hace 2|3|4|5|6|7|8|9|10|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez anos|meses"),
        P("when i was a kid|child|teen|teenager", 6), P("when i|he|she|we|they was|were @youth", 5), P("cuando era|eras|eramos|tenia|tenias @youth", 5), P("de chico|chica|nino|nina|pequeno|pequena|joven"), P("in the past"),
        N("checked|tested|ruled|examined|cleared fine|normal|out|nothing|ok|okay", 6), P("salio|salieron|dio|estaba|estaban|esta todo bien|normal|normales", 4), N("salio|dio|salieron|estaba|estaban|resulto bien|normal|normales|negativo", 4), P("descart*"),
        P("resolved|resuelto|went away|se me paso|se paso|se fue"), P("used to"), P("solia|solía"),
    ];

    /// <summary>Words that bring a past complaint back to now: "... and now it's back".</summary>
    public static readonly IReadOnlyList<string> PresentCues =
    [
        "now", "again", "today", "tonight", "back", "currently", "ahora", "otra", "nuevo", "hoy", "volvio", "vuelto", "actualmente",
    ];

    /// <summary>
    /// Words that, near a present-time cue, say things are fine now ("she is doing well now", "now 8 and fine"), so
    /// the cue does not bring a past complaint back.
    /// </summary>
    public static readonly IReadOnlySet<string> WellnessWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "fine", "well", "ok", "okay", "good", "great", "healthy", "recovered", "normal", "bien", "sano", "sana", "recuperado",
        "recuperada", "perfecto", "perfecta", "mejor", "better",
    };

    /// <summary>A sentence about a show, film or book ...</summary>
    public static readonly IReadOnlySet<string> MediaWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "show", "series", "movie", "film", "episode", "tv", "netflix", "drama", "novel", "book", "game", "serie", "pelicula", "novela",
        "capitulo", "documental", "documentary", "telenovela", "libro", "videojuego", "anatomy", "anatomia", "cine", "actor", "actress",
        "actriz",
    };

    /// <summary>... whose subject is a character, and where nobody of the writer's own is named, is not a complaint.</summary>
    public static readonly IReadOnlySet<string> FictionSubjects = new HashSet<string>(StringComparer.Ordinal)
    {
        "guy", "character", "characters", "actor", "actress", "someone", "somebody", "man", "woman", "personaje", "actriz", "tipo",
        "alguien", "protagonist", "protagonista", "hero", "heroe", "villain", "villano",
    };

    /// <summary>Words that make a sentence about the writer or their people, so it is not fiction.</summary>
    public static readonly IReadOnlySet<string> OwnWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "i", "im", "me", "my", "mine", "we", "our", "yo", "mi", "mis", "nosotros", "nuestro", "nuestra", "estoy", "tengo",
    };

    /// <summary>
    /// Per category, words that make the complaint mild or benign in its sentence ("leve", "a pulled muscle in my chest",
    /// "un poco"), unless the sentence also says it is severe (<see cref="SeverityWords"/>). Only categories where a mild
    /// version is common and not itself an emergency: never suicide, overdose, stroke, pregnancy or an infant.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlySet<string>> MildCues = BuildMildCues();

    /// <summary>Words that keep a complaint an alarm whatever mild word is near it (prefixes end in '*').</summary>
    public static readonly IReadOnlyList<string> SeverityWords =
    [
        "severe", "worst", "crush*", "terrible", "unbearable", "intens*", "excruciat*", "very", "really", "so", "extreme*", "fuerte*",
        "insoportable", "muy", "mucho", "muchisim*", "peor", "horrible", "brutal", "radiat*", "spread*", "sweat*", "sudor*", "arm", "brazo",
        "jaw", "mandibula", "blue", "morad*", "cant", "cannot", "faint*", "desmay*", "stop*", "para", "chorro*", "gush*", "spurt*",
        "suddenly", "repente", "worse", "empeora*", "peor", "azul*",
    ];

    /// <summary>
    /// Words that, shortly before a named condition, make it a figure of speech: "giving me a heart attack", "almost
    /// had a stroke when I saw the bill", "casi me da un infarto", "me vas a dar un infarto". Not "dar" or "dio" alone:
    /// "a mi papá le dio un infarto" and "siento que me va a dar un infarto" are the real thing.
    /// </summary>
    public static readonly IReadOnlySet<string> HyperboleCues = new HashSet<string>(StringComparer.Ordinal)
    {
        "giving", "give", "gave", "gives", "almost", "nearly", "casi", "vas", "van",
    };

    private static Dictionary<string, IReadOnlySet<string>> BuildMildCues()
    {
        string[] mild = ["mild", "mildly", "slight", "slightly", "minor", "little", "bit", "leve", "levemente", "ligero", "ligera", "ligeramente", "poquito", "poco", "tiny", "small"];
        string[] muscle = ["muscle", "muscles", "muscular", "pulled", "strain", "strained", "costochondritis", "heartburn", "reflux", "indigestion", "musculo", "musculos", "tiron", "contractura", "acidez", "reflujo", "agruras"];
        IReadOnlySet<string> Set(params string[][] parts) => new HashSet<string>(parts.SelectMany(x => x), StringComparer.Ordinal);
        return new Dictionary<string, IReadOnlySet<string>>
        {
            [RedFlagCategories.AcuteCoronarySyndrome] = Set(mild, muscle),
            [RedFlagCategories.BreathingDifficulty] = Set(mild, ["stairs", "exercise", "exercising", "running", "climb", "climbing", "usual", "normal", "escaleras", "ejercicio", "correr", "subir", "habitual"]),
            [RedFlagCategories.SevereBleeding] = Set(mild),
            [RedFlagCategories.AcuteAbdomen] = Set(mild),
            [RedFlagCategories.ThunderclapHeadache] = Set(mild),
        };
    }

    /// <summary>Words that do not count in a rule's span of words (articles, possessives, prepositions, clitics).</summary>
    public static readonly IReadOnlySet<string> FillerWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "the", "a", "an", "my", "his", "her", "their", "your", "our", "its", "of", "in", "on", "at", "to", "is", "are", "was", "were",
        "this", "that", "it", "el", "la", "los", "las", "lo", "un", "una", "unos", "unas", "de", "del", "en", "mi", "mis", "su", "sus",
        "tu", "al", "es", "me", "le", "les", "se", "te", "que", "q", "x",
    };

    public static readonly IReadOnlySet<string> NewbornWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "newborn", "newborns", "neonate", "neonato", "neonata", "neonatal", "nb",
    };

    public static readonly IReadOnlySet<string> BabyWords = new HashSet<string>(StringComparer.Ordinal)
    {
        "baby", "bebe", "bebes", "bebito", "bebita", "nene", "nena", "hijo", "hija", "nieto", "nieta", "infant", "son", "daughter",
        "my", "mi", "our", "nuestro", "nuestra", "guagua", "bebote", "chiquito", "chiquita", "sobrino", "sobrina",
    };

    public static readonly IReadOnlySet<string> SpanishMarkers = new HashSet<string>(StringComparer.Ordinal)
    {
        "de", "el", "la", "los", "las", "y", "mi", "tiene", "tengo", "con", "que", "es", "esta", "bebe", "hijo", "hija", "semanas", "meses", "dias", "fiebre", "muy", "le", "se", "me", "duele", "mucho", "por", "para", "del", "mama", "papa",
    };

    public static readonly IReadOnlySet<string> EnglishMarkers = new HashSet<string>(StringComparer.Ordinal)
    {
        "the", "my", "is", "has", "have", "and", "with", "of", "baby", "son", "daughter", "weeks", "months", "days", "old", "fever", "very", "he", "she", "it", "i", "im", "to", "in", "hurts", "cant", "his", "her",
    };

    public static readonly string[] NumberWordsEn = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];
    public static readonly string[] NumberWordsEs = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece", "catorce", "quince", "dieciseis", "diecisiete", "dieciocho", "diecinueve", "veinte"];

    /// <summary>Round numbers written out, for ages in days or weeks ("thirty days old", "cuarenta dias").</summary>
    public static readonly IReadOnlyDictionary<string, int> TensWords = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["thirty"] = 30, ["forty"] = 40, ["fifty"] = 50, ["sixty"] = 60, ["seventy"] = 70, ["eighty"] = 80, ["ninety"] = 90,
        ["treinta"] = 30, ["cuarenta"] = 40, ["cincuenta"] = 50, ["sesenta"] = 60, ["setenta"] = 70, ["ochenta"] = 80, ["noventa"] = 90,
    };
}
