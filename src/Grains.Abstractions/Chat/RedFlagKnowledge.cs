namespace HealthActors.Grains.Abstractions.Chat;

/// <summary>
/// One expression of a red flag, over folded words. <see cref="Pattern"/> is a list of word groups separated by
/// spaces; a group lists alternatives separated by '|'; an alternative ending in '*' is a stem ("breath*" is
/// breath, breathe, breathing), and "@name" stands for a concept of <see cref="RedFlagKnowledge.Concepts"/>.
/// Ordered: the groups appear in that order; otherwise in any order. Every group must fall within
/// <see cref="Span"/> consecutive words (default: one more than the number of groups, so one word may sit in
/// between) of one sentence.
/// </summary>
public sealed record RedFlagRule(string Pattern, int? Span = null, bool Ordered = true);

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

    public static readonly IReadOnlyDictionary<string, string> Concepts = new Dictionary<string, string>
    {
        ["pain"] = "peso|weight|pain*|hurt*|ache|aches|aching|pressure|tight*|squeez*|crush*|heavy|heaviness|dolor*|duel*|opresion|oprim*|presion|apret*|aprieta|pesadez|punzada*|puntada*",
        ["chest"] = "chest|chets|chset|pecho|pexo|torax|toracic*|torasic*|thorax|breastbone|sternum|esternon",
        ["arm"] = "arm|arms|jaw|shoulder|brazo|brazos|mandibula|quijada|hombro|neck|cuello|back|espalda",
        ["sweat"] = "sweat*|clammy|sudor*|sudando|sudoroso|transpir*",
        ["breathe"] = "breath*|breth*|breeth*|brething|breating|respir*|respirar",
        ["cant"] = "cant|cannot|cnt|couldnt|unable|hardly|barely",
        ["face"] = "face|mouth|smile|lip|cara|boca|rostro|labio",
        ["droop"] = "droop*|drop*|dropped|crooked|uneven|lopsided|sagging|sag*|fallen|falling|slanted|caid*|cayo|cae|torcid*|chuec*|ladead*|desviad*|colgando",
        ["speech"] = "speech|speaking|talking|talk|words|speak|habla|hablar|hablando|palabras|lengua",
        ["garbled"] = "slur*|garbled|weird|strange|funny|nonsense|jumbled|gibberish|raro|rara|arrastr*|trab*|enred*|extran*|incoherent*|incomprensible",
        ["side"] = "side|half|lado|mitad",
        ["weak"] = "numb*|weak*|paraly*|limp|dead|tingl*|dormid*|durmio|durmi|adormec*|entumec*|paraliz*|debil*|flojo|floja|hormigue*",
        ["throat"] = "throat|garganta|airway",
        ["closing"] = "clos*|tight*|shut*|swell*|swollen|cierr*|cerr*|cierra|apret*",
        ["swelling"] = "swell*|swollen|hinch*|inflam*",
        ["allergen"] = "allerg*|alerg*|hives|welts|ronchas|urticaria|peanut*|nuts|mani|cacahuet*|bee|wasp|abeja|avispa|sting*|stung|picadura|pico|shellfish|mariscos|penicillin*|penicilina|amoxicil*",
        ["blood"] = "bleed*|blood*|bled|sangr*|hemorrag*|nosebleed*",
        ["vomit"] = "vomit*|throw*|threw|puk*|vomito|vomitando|vomitar|vomita|vomitado|arcadas",
        ["cough"] = "cough*|tos|tose|tosiendo|tosio|escup*|spit*",
        ["pregnant"] = "pregnan*|prego|embaraz*|encinta|gestacion|gestante",
        ["wake"] = "wake|waking|woke|rouse|respond*|responsive|despierta|despertar|despertarlo|despertarla|despierte|reacciona|reaccionar|reaccione",
        ["head"] = "head|headache|cabeza|cefalea|jaqueca|migrana|migraine",
        ["sudden"] = "sudden*|suddenly|explo*|thunderclap|thunder|repente|repentin*|subit*|golpe|explot*|estall*|trueno",
        ["severe"] = "severe|intense|terrible|horrible|worst|excruciating|unbearable|agoniz*|awful|strong|fuerte|fortisimo|intens*|insoportable|brutal|terrible|peor|tremendo|horroroso|atroz|muchisimo",
        ["neck"] = "neck|cuello|nuca",
        ["stiff"] = "stiff*|rigid*|duro|dura|tieso|tiesa|bend|doblar|agachar|mover|move|touch|tocar",
        ["fever"] = "fever*|temp|temperature|febril|fiebre|calentura|temperatura|afiebrad*|hot",
        ["rash"] = "rash|spots|spot|dots|marks|manchas|mancha|sarpullido|erupcion|puntitos|puntos|ronchitas|pintas|manchitas",
        ["pills"] = "pills|pill|tablets|tabs|meds|medicine*|medication*|paracetamol|tylenol|ibuprofen|ibuprofeno|aspirin*|aspirina|diazepam|alprazolam|tramadol|metformin*|advil|xanax|sleeping|oxy*|insulin|pastillas|pastilla|comprimidos|pildoras|medicamentos|remedios|medicinas|clonazepam|rivotril|benzos|antidepresivos|antidepressants",
        ["ingest"] = "took|taken|swallow*|ate|eaten|drank|drunk|downed|gulped|popped|tomo|tome|tomado|tomo|trago|trague|tragado|comio|bebio|ingirio|ingerido|tomando",
        ["lots"] = "20|25|30|40|50|60|100|dozen|docena|whole|entire|all|bottle|box|pack|packet|handful|many|bunch|lots|todas|todos|toda|caja|frasco|blister|punado|muchas|muchos|demasiad*|entera|entero|tira|bote",
        ["poison"] = "bleach|detergent|cleaner|antifreeze|pod|pods|battery|batteries|lejia|lavandina|cloro|veneno|raticida|rat|poison|pesticide*|insecticid*|plaguicida|amoniaco|ammonia|gasolina|gasoline|kerosene|querosen*|soda|caustica|lye|drain|destapacanos|mushrooms|hongos|setas",
        ["hit"] = "hit|hits|bang*|banged|struck|knock*|fell|fall|falls|golpe*|golpeo|pego|cayo|cai|caida|cayendo|bumped|smacked|slammed",
        ["confused"] = "confus*|dizzy|vomit*|throw*|threw|puk*|sleepy|drowsy|repeat*|repite|confundid*|mare*|somnolient*|desorientad*|disoriented|incoheren*|knocked|blacked|dormido|dormida|memory|memoria|recuerda|remember",
        ["belly"] = "belly|stomach|abdom*|tummy|gut|panza|barriga|estomago|vientre|guata|tripa",
        ["infection"] = "infection|infected|infeccion|infectad*|uti|urinaria|wound|herida|surgery|operation|cirugia|operacion|pneumonia|neumonia|cellulitis|celulitis|fever|fiebre",
        ["septic"] = "confund*|mottled|blotchy|moteada|marmore*|jaspead*|delirious|delirando|delira|desorientad*|disoriented|grey|gray|gris|racing|taquicardia|shaking|rigors|temblores|freezing|helada|frio|fria|barely",
    };

    public static readonly IReadOnlyList<RedFlagCategoryKnowledge> Categories =
    [
        new(RedFlagCategories.AcuteCoronarySyndrome,
            English:
            [
                N("@pain @chest", 4), P("heart attack|atack|attak"), P("having|had|another a|an heart"), N("elephant @chest", 6),
                N("@pain heart", 3), N("@chest @arm", 8), N("@pain|numb* left @arm @sweat", 10), P("angina"), P("cardiac"),
            ],
            Spanish:
            [
                N("@pain @chest", 4), P("infarto|infartando|infartado|infarte"), P("ataque al|del corazon|cardiaco"), P("ataque cardiaco"),
                N("@pain corazon", 3), N("@chest @arm", 8), N("@pain|hormigue* izquierd* @arm @sweat", 10), P("angina de pecho"),
            ]),
        new(RedFlagCategories.BreathingDifficulty,
            English:
            [
                P("@cant @breathe", 3), P("can not @breathe", 3), P("@cant catch|get breath*", 4), P("breathing|breath bad|terrible|awful|worse|horrible|scary", 5), N("@breathe effort|esfuerzo", 4), P("short* of breath*"), P("sob"),
                N("trouble|difficult*|difficulty|hard|struggl*|labou*|labor*|fighting @breathe", 4), P("gasp*"), P("chok*"), P("suffocat*"),
                P("not|isnt|stopped|stopping @breathe", 3), P("no air"), P("cant get air|enough"),
                N("lips|face|fingernails|nails blue|purple|grey|gray", 4), N("inhaler|puffer|nebuli* not|isnt|doesnt|dont|aint help*|work*", 5),
                N("ribs suck*|pulling", 4), P("turning blue"), P("grunt*"), N("@breathe weird|strange|funny|odd|noisy", 4),
            ],
            Spanish:
            [
                P("no puedo|puede|podia|pudo|logro|logra|podemos @breathe", 4), P("ahog*"), N("falta|faltando|falto|faltaba aire|respiracion", 3),
                N("dificultad* @breathe", 4), N("cuesta|costando|costaba @breathe", 4), P("no me|le entra aire", 5), P("asfixi*"),
                P("no respira|respiraba"), P("dejo|deja de respirar"), N("labios|cara|unas morad*|azul*|gris*", 4),
                N("inhalador|puff|nebuliz* no sirve|funciona|hace|ayuda", 5), N("costillas hund*", 4), P("sin aire"), P("no alcanza aire", 5), P("respiracion mal|terrible|horrible|fatal|peor", 4),
                N("respira|respirando muy rapido|agitad*|ruidos|silb*", 4),
            ]),
        new(RedFlagCategories.Stroke,
            English:
            [
                P("stroke|strok|stoke"), N("@face @droop", 4), P("slur*"), N("@speech @garbled", 4), P("@cant speak|talk|get words", 4),
                N("half|one|left|right side|face|body @weak", 6), N("sudden* cant|cannot|doesnt|dont understand|talk|speak|see", 6), N("sudden* @weak", 4), N("face|arm|leg @weak one", 6), P("mini stroke"), P("tia"), N("@cant move|lift|feel left|right|one|half side|arm|leg|hand", 6),
            ],
            Spanish:
            [
                P("acv|ictus|avc"), P("derrame cerebral"), P("embolia"), N("@face @droop", 4), N("@speech @garbled", 3), N("boca|cara|rostro lado", 5), N("repente no entiende|habla|ve", 6),
                P("no puede|puedo hablar", 4), N("@side cuerpo|cara|brazo|pierna @weak", 6), N("repente|repentin* @weak", 5),
                N("perdi|perdio fuerza brazo|pierna|lado", 6), P("no puedo|puede mover el|la|mi brazo|pierna", 5),
            ]),
        new(RedFlagCategories.Anaphylaxis,
            English:
            [
                P("anaphyla*|anafila*"), N("@throat @closing", 4), N("tongue|lips|face|eyes @swelling", 4),
                N("@allergen @breathe|throat|swell*|swollen|dizzy|faint*", 10), P("epipen|epi|epinephrine|adrenaline"),
                N("allergic reaction", 3),
            ],
            Spanish:
            [
                P("anafila*"), N("@throat @closing", 4), N("lengua|labios|boca|cara|ojos|garganta @swelling", 4),
                N("@allergen @breathe|garganta|hinch*|mare*|desmay*", 10), P("adrenalina|epipen"), N("reaccion alergica grave|fuerte", 4),
            ]),
        new(RedFlagCategories.SevereBleeding,
            English:
            [
                N("@blood wont|doesnt|cant|never|isnt|not|aint stop|stopping|stops", 8), N("heavy|heavily|severe|lot|lots|uncontrol*|spurting|gushing|pouring|soaked|soaking|squirting|everywhere|tons|crazy|badly|profuse* @blood", 4),
                N("@vomit @blood", 4), N("@cough @blood", 4), P("coffee ground*"), N("black|tarry stool*|poop|poo", 4),
                N("blood soaked|through towel*|bandage*", 6), N("deep cut|gash|wound @blood", 6), P("hemorrhag*|haemorrhag*"),
            ],
            Spanish:
            [
                P("hemorrag*"), N("sangr*|sangre mucho|muchisimo|abundante*|chorro*|litros|bastante|parar|abundant*|montones|monton|todos", 4),
                N("no para|paro|deja|dejo|detiene|cesa|corta sangr*|sangre", 8), N("@vomit sangre", 4), N("@cough sangre", 4),
                N("heces|caca|popo negr*", 4), N("empapad* sangre|toalla*|venda*", 6), N("cortada|corte|herida profund* sangr*", 6),
            ]),
        new(RedFlagCategories.Pregnancy,
            English:
            [
                N("@pregnant @blood|spotting", 12), N("@pregnant severe|bad|strong|intense|terrible|really|sharp|stabbing @pain|cramp*", 14),
                N("@pregnant cramp*|contraction*", 10), P("ectopic"), N("@pregnant water broke|leaking|fluid", 12),
                N("@pregnant baby not|stopped|hasnt moving|moved|kicking", 12), N("@pregnant @pain|hurt* belly|tummy|stomach", 12),
            ],
            Spanish:
            [
                N("@pregnant @blood|manch*", 12), N("estoy de semanas|meses @blood|manch*|contracc*|colic*", 10), N("@pregnant fuerte|mucho|intenso|terrible @pain|colic*|contracc*", 14),
                N("@pregnant colic*|contracc*", 10), P("ectopico"), N("@pregnant rompio|bolsa|fuente|liquido", 12),
                N("@pregnant bebe no se mueve|patea", 12), N("@pregnant @pain @belly", 12), P("aborto espontaneo"), N("perdiendo el bebe", 4),
            ]),
        new(RedFlagCategories.Unconscious,
            English:
            [
                P("unconscious|unconcious|unconsious|unresponsive"), N("@cant|wont|not|isnt|doesnt|didnt|hasnt @wake him|her|them|my|he|she|hes|shes", 6),
                P("seizure*|seizing|siezure*|convuls*|fitting"), P("having a fit"), P("passed|blacked out and"), P("knocked out"),
                N("fainted|collapsed|passed|blacked @cant|wont|not|isnt|still|hasnt|doesnt|didnt", 6), P("no pulse"), P("not breathing"),
                P("isnt|stopped breathing"), P("cardiac arrest"), P("heart stopped"), P("collapsed"), P("floppy"), N("eyes rolled|rolling back", 4),
            ],
            Spanish:
            [
                P("inconsciente|inconciente"), P("no|ni despierta|despertarlo|despertarla|reacciona|reaccionar|despierte|reaccione", 4),
                N("no responde|contesta desmay*|cayo|piso|suelo|ojos|sacud*|tirad*|llamo|grito", 10), P("convulsi*|convulcion*|convulciona*"),
                P("ataque|crisis epilep*"), P("perdio|perdi|perdido el|la conocimiento|conciencia|sentido", 4), P("se desmayo y no", 5),
                P("sin pulso"), P("no respira"), P("paro cardiaco|cardio*"), P("espuma por la boca", 4), N("ojos blanco|volteados|para atras", 4),
                P("no vuelve en si"), P("desvanec*"),
            ]),
        new(RedFlagCategories.ThunderclapHeadache,
            English:
            [
                N("worst headache|head|migraine", 4), P("thunderclap"), N("@sudden @severe headache|head", 8), N("@sudden headache|head explod*|exploding", 6),
                N("hammer|bat|lightning|thunder head|headache", 10), N("headache|head explod*|exploding|exploded", 5), N("@head never ever|before|like", 8),
            ],
            Spanish:
            [
                N("peor dolor cabeza|cefalea", 5), N("@sudden @severe cabeza|cefalea|jaqueca", 8), N("cabeza explot*|estall*|revent*", 5),
                N("martillazo|rayo|trueno|bomba cabeza", 8), N("jamas|nunca tuve|senti|habia un dolor de cabeza asi|igual", 12),
            ]),
        new(RedFlagCategories.Meningitis,
            English:
            [
                P("meningitis|menengitis|meningococ*"), N("@neck @stiff @fever", 15), N("@rash doesnt|dont|wont|not|no|isnt|arent|never fade*|fading|blanch*|disappear*|go glass|press*|pressing|fever", 14), N("@rash doesnt|dont|wont|not|no|isnt|arent|never fade*|fading|blanch*|disappear*", 8),
                N("purple|dark spots|rash|dots @fever", 8), P("petechia*|purpura"), N("@neck @stiff light|vomit*|headache", 12),
            ],
            Spanish:
            [
                P("meningitis"), N("@neck @stiff @fever", 15), N("@rash no desaparec*|borra*|quita*|aclar*|van vaso|vidrio|presion*|aprieto|apreto|apret*|fiebre", 14),
                N("morad*|violace*|puntitos @fever", 8), P("petequia*|purpura"), N("@neck @stiff luz|vomit*|cabeza", 12),
            ]),
        new(RedFlagCategories.InfantFever, English: [], Spanish: []),
        new(RedFlagCategories.Suicide,
            English:
            [
                P("suicid*|sucid*|suicid"), P("kill|killing|end myself|himself|herself|themself|themselves"), P("end|ending|take|taking my|his|her|their life|lives", 4),
                P("end it all"), P("want|wanna it all end", 5), N("going|gonna|plan|planning take|swallow all|whole|every @pills", 8), P("want|wanna|wants|going to die"), P("dont|doesnt|not want|wanna live|alive|here|exist|wake|awake", 5),
                N("better off without me|him|her", 6), P("no reason|point living|live|go|going|anymore", 5), P("self harm|harming"), P("selfharm*"),
                P("hurt|hurting|cut|cutting|harm|harming myself|himself|herself|themselves", 3), P("nobody|noone|one would|will miss|care me|if", 5),
                P("wish i|he|she dead|die|died", 5), P("jump off|from|in front", 3), N("goodbye letter|note|notes|texts", 4),
                P("cant go on anymore|living", 4), P("not worth living", 4), P("everyone would be better"), P("disappear forever"), P("overdose on purpose"),
                P("plan to kill|die|end", 4),
            ],
            Spanish:
            [
                P("suicid*"), P("matarme|matarse|suicidarme|suicidarse"), P("quiere|quiero|queria|quiera|va|voy matar|matarse|matarme", 4), P("quitarme|quitarse la vida"), P("quiero|quiere|queria morir*", 3),
                P("no quiero|quiere seguir|vivir|despertar|existir", 4), N("no|ningun|sin sentido seguir|vivir|viviendo|vida", 8), N("mejor sin mi|el|ella", 6),
                P("acabar|terminar con todo", 3), P("acabar|terminar con mi|su vida", 4), P("hacerme|hacerse dano", 3), P("cortarme|lastimarme|autolesion*|cortandome|cortandose"),
                P("se corta|lastima", 3), P("desaparecer para siempre", 3), P("tirarme|tirarse|aventarme|lanzarme de|del|desde|por|bajo|al|a", 3), P("no quiero|quiere estar aqui|aca", 5), N("voy|pienso|planeo tomar|tomarme todas|todo @pills", 8),
                P("nadie me extranaria|extranaria"), P("ojala no despertar|despierte|despertarme", 4), P("ojala muerto|muerta|morirme|morir|desaparecer", 4), N("carta despedida", 4),
                P("no aguanto|soporto mas vivir|la vida", 5), P("no vale la pena vivir|seguir", 6), P("ganas de morir|morirme|vivir", 3), P("terminar con mi vida", 4),
            ]),
        new(RedFlagCategories.Overdose,
            English:
            [
                P("overdos*|od|ods"), N("kid|son|daughter|toddler|baby|child @ingest @pills|@poison", 8), N("@ingest @pills grandma*|grandpa*|mom*|mother*|dad*|father*|someone|else", 8), N("@ingest @lots @pills", 10), N("@ingest too|extra|double|triple @pills", 8), N("@ingest|into @poison", 6),
                P("poisoned|poisoning"), N("carbon monoxide|co alarm", 4), P("took too many|much"), N("bottle|box|pack of @pills empty", 10),
                N("@pills gone|missing|empty bottle|box|pack|all", 8),
            ],
            Spanish:
            [
                P("sobredosis"), N("hijo|hija|nene|nena|bebe|nieto|nieta @ingest @pills|@poison", 8), N("@ingest @pills abuel*|mama|papa|madre|padre|ajen*", 8), N("@ingest @lots @pills", 10), N("@ingest @poison", 6), P("envenen*"), N("intoxic* @pills|@poison|monoxido|gas|alcohol", 8),
                P("monoxido de carbono"), N("caja|frasco|blister vacia|vacio|vacias @pills", 10), P("tome|tomo demasiad*"),
            ]),
        new(RedFlagCategories.Trauma,
            English:
            [
                N("@hit @head @confused", 12), N("hit|struck|run|ran car|truck|bus|van|motorbike|motorcycle", 5), N("fell|fall|fallen off|from|down roof|ladder|balcony|stairs|floor|story|storey|tree|cliff|building", 6),
                P("stabbed|stabbing|gunshot|stab"), P("got|was|been|he|she|hes|shes shot"), N("bone sticking|poking|out|through", 5), N("@hit @head doesnt|dont|cant|no|not remember|recuerda|acuerda|reconoce|recognize|know", 14), N("car|motorcycle|bike|motorbike crash|accident|wreck|collision|crashed bleeding|unconscious|trapped|move|hurt|injured|badly|airbag|windshield|head", 12),
                N("cant|cannot feel|move legs|arms|neck", 5), P("head injury|trauma"), N("crushed|crush under|by", 6),
            ],
            Spanish:
            [
                N("@hit @head @confused", 12), P("atropell*"), N("cayo|cai|caida|cayendo techo|escalera|balcon|altura|piso|arbol|metros|andamio", 6),
                P("apunal*|acuchill*|balazo|disparo|bala|navajazo|puñalada|punalada"), N("hueso afuera|salido|expuesta", 5),
                N("accidente|choque|chocamos|choco|volco|volcamos sangr*|inconsciente|atrapad*|mover|grave|herid*|fuerte|cabeza|golpe*", 12),
                N("no siente|siento|mueve|muevo piernas|brazos|cuello", 5), P("traumatismo|trauma craneal|craneo"), N("aplastad*|aplasto", 5),
            ]),
        new(RedFlagCategories.Sepsis,
            English:
            [
                P("sepsis|septic|septicemia|sepsys"), N("@infection @septic", 15), N("@fever mottled|blotchy|confus*|delirious", 12), N("@infection hasnt|havent|not|barely peed|pee|peeing|urinated", 15),
                N("blood poisoning", 3), N("@fever not|isnt|doesnt|no making|make sense", 10), N("very unwell|sick|ill @fever @septic", 15),
            ],
            Spanish:
            [
                P("sepsis|septic*|septicemia"), N("@infection @septic", 15), N("@fever moteada|confus*|confund*|delira*|jaspead*|marmore*", 12), N("@infection no|casi orinado|orina|orinar|pis|hecho", 15),
                P("infeccion en la sangre", 4), P("infeccion generalizada", 3), N("@fever sin|no sentido|coherente|incoherente", 10),
            ]),
        new(RedFlagCategories.AcuteAbdomen,
            English:
            [
                N("@severe @belly @pain", 8), N("@belly rigid|hard|board", 6), N("doubled|curled over|up pain", 6),
                P("appendic*|apendic*"), N("testicle|testicular|balls|scrotum pain|swollen|twist*", 6), N("vomit*|throwing green|bile|poop", 4),
                N("cant|cannot stand|walk|move pain|belly|stomach", 8), N("right lower|side belly|tummy|abdomen pain|hurt*", 8), P("bowel obstruction"),
            ],
            Spanish:
            [
                N("@severe @belly @pain", 8), N("@belly dur*|tabla|rigid*", 6), P("apendic*"), N("testicul*|huevo*|bolas|escroto @pain|hinch*|torcid*", 6),
                N("vomit*|vomito verde|bilis|caca", 4), N("no puedo|puede caminar|moverme|pararme|enderezarme @pain", 10), N("lado derecho abajo|inferior @pain", 8),
                N("retuerce|retorciendo|retorcia|retorcerse dolor", 4), P("obstruccion intestinal"), N("@pain @belly no aguanto|aguanta|soporto", 10),
            ]),
    ];

    /// <summary>Fever words; with an infant under <see cref="RedFlagDetector.InfantAgeLimitDays"/> days a red flag of its own.</summary>
    public static readonly IReadOnlyList<RedFlagRule> Fever =
    [
        P("fever*|feverish|febrile|temp|temperature|hot|burning"), P("fiebre|febril|calentura|temperatura|afiebrad*|caliente|volando"),
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
    };

    /// <summary>A negation word followed by one of these is doubt, not denial: "no sé si", "not sure", "don't know".</summary>
    public static readonly IReadOnlyList<string> NegationReleases =
    [
        "se", "sabe", "sabemos", "saben", "sure", "know", "idea", "understand", "entiendo", "creo", "matter", "importa", "puedo", "puede",
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
        P("when i was a kid|child|teen|teenager", 6), P("de chico|chica|nino|nina|pequeno|pequena|joven"), P("in the past"),
        N("checked|tested|ruled|examined|cleared fine|normal|out|nothing|ok|okay", 6), N("salio|dio|salieron|estaba|estaban todo|normal|bien", 5), P("descart*"),
        P("resolved|resuelto|went away|se me paso|se paso|se fue"), P("used to"), P("solia|solía"),
    ];

    /// <summary>Words that bring a past complaint back to now: "... and now it's back".</summary>
    public static readonly IReadOnlyList<string> PresentCues =
    [
        "now", "again", "today", "tonight", "back", "currently", "ahora", "otra", "nuevo", "hoy", "volvio", "vuelto", "actualmente",
    ];

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

    public static readonly string[] NumberWordsEn = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    public static readonly string[] NumberWordsEs = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce"];
}
