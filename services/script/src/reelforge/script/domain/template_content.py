"""What the template writer says: hooks, introductions, key-point framings, calls to action and
the supporting sentences it draws on to fill a longer video.

Supporting sentences never claim facts about the property or the market that the brief did not
give; they speak about the viewing, the process and the presenter's help. Placeholders:
{topic} (the topic as a phrase), {a_topic} (with "a"/"an"), {said} (the topic as a sentence),
{name}, {first}, {company}, {phone}, {email}, {point} (a key point), {points} (a list of them),
{price}.
"""

from __future__ import annotations

from reelforge.contracts import VideoType

Section = tuple[str, tuple[str, ...]]

PROPERTY_HOOKS = (
    "Let me show you this {topic}.",
    "If you've been waiting for the right {topic}, this could be the one.",
    "Picture yourself coming home to this {topic}.",
    "Looking for {a_topic}? You're going to love this one.",
    "Homes like this {topic} don't come along every day.",
    "Welcome to this {topic}, and trust me, you'll want to see it in person.",
)
PROPERTY_SHORT_HOOKS = ("Check out this {topic}.", "Meet this {topic}.")
PROPERTY_SENTENCE_HOOKS = ("{said} Let me show you around.", "{said} Let me show you why.")

MARKET_HOOKS = (
    "What's really happening with {topic}? Let's look at the numbers.",
    "Here's your latest update on {topic}.",
    "If you're thinking about buying or selling, here's what you need to know about {topic}.",
    "The latest numbers for {topic} are in, and there's a lot to talk about.",
)
MARKET_SHORT_HOOKS = ("Here's {topic}, in brief.", "Quick update on {topic}.")
MARKET_SENTENCE_HOOKS = ("{said} Let's look at the numbers.", "{said} Here's what the data says.")

CUSTOM_HOOKS = (
    "Let's talk about {topic}.",
    "Today I want to talk about {topic}.",
    "Here's what you need to know about {topic}.",
    "If you've been wondering about {topic}, this one's for you.",
)
CUSTOM_SHORT_HOOKS = ("About {topic}.", "Let's talk {topic}.")
CUSTOM_QUESTION_HOOKS = (
    "{said} Let's talk about it.",
    "{said} It's a great question, so let's dig in.",
    "{said} Here's what you need to know.",
)
CUSTOM_SENTENCE_HOOKS = ("{said} Let's talk about it.", "{said} Here's what you should know.")

PERSONAL_GREETINGS_NAMED = (
    "Hi, it's {first} from {company}!",
    "Hey there, it's {first}, and I made this video just for you.",
    "Hi! {name} here, with a quick personal message for you.",
)
PERSONAL_GREETINGS_NAMED_NO_COMPANY = (
    "Hi, it's {first}!",
    "Hey there, it's {first}, and I made this video just for you.",
    "Hi! {name} here, with a quick personal message for you.",
)
PERSONAL_GREETINGS = (
    "Hi there, I made this quick video just for you.",
    "Hello! I wanted to send you a personal message.",
    "Hey there, this one is just for you.",
)
PERSONAL_SHORT_GREETINGS = ("Hi, it's {first}!", "Hi there!")
PERSONAL_TOPIC_LINES = (
    "I'm reaching out about {topic}.",
    "I wanted to talk to you about {topic}.",
    "I wanted to send you a quick note about {topic}.",
)

INTROS: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "I'm {name} with {company}.",
        "Hi, I'm {name} with {company}, and I'd love to show you around.",
        "{name} here, with {company}.",
    ),
    VideoType.MARKET_UPDATE: (
        "I'm {name} with {company}, and this is your market update.",
        "Hi, I'm {name} with {company}.",
        "{name} here, with {company}, and I've got the latest numbers for you.",
    ),
    VideoType.CUSTOM: (
        "I'm {name} with {company}.",
        "Hi, I'm {name} with {company}.",
        "{name} here, with {company}.",
    ),
}
INTROS_NO_COMPANY: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: ("I'm {name}.", "Hi, I'm {name}, and I'd love to show you around."),
    VideoType.MARKET_UPDATE: ("I'm {name}, and this is your market update.", "Hi, I'm {name}."),
    VideoType.CUSTOM: ("I'm {name}.", "Hi, I'm {name}."),
}

PROPERTY_FIRST_POINT = (
    "You'll love the {point}.",
    "Let's start with the {point}.",
    "First, there's the {point}.",
)
PROPERTY_NEXT_POINT = (
    "Then there's the {point}.",
    "You'll also love the {point}.",
    "Don't miss the {point}.",
    "It also comes with the {point}.",
    "Make sure you see the {point}.",
)
PROPERTY_LAST_POINT = (
    "And finally, there's the {point}.",
    "And don't miss the {point}.",
    "And then there's the {point}.",
)
PROPERTY_POINT_LISTS = (
    "You'll love the {points}.",
    "Highlights include the {points}.",
    "It features the {points}.",
)
PROPERTY_PREDICATES = ("It's {point}.", "Best of all, it's {point}.", "It's also {point}.")
PROPERTY_QUANTITIES = ("It has {point}.", "You get {point}.", "It comes with {point}.")
PROPERTY_PRICES = (
    "Priced at {price}, this home won't last long.",
    "It's offered at {price}.",
    "And it's offered at {price}.",
)
PROPERTY_URGENCY = (
    "Homes like this don't last long.",
    "This one won't last long.",
    "I don't expect this one to stay on the market for long.",
)

MARKET_NOUN_POINTS = (
    "Another trend to watch: {point}.",
    "Also worth noting: {point}.",
    "Here's another one that matters: {point}.",
    "Keep an eye on this one: {point}.",
)
MARKET_POINT_OPENERS = ("First, ", "Here's the big one. ", "Let's start here. ")
MARKET_TAKEAWAYS = (
    "So what does it mean for you? If you're buying, be prepared, and if you're selling, price "
    "it right from day one.",
    "For buyers, that means doing your homework; for sellers, it means pricing with care.",
    "What it means for you depends on your plans, and that's exactly what I can help with.",
)

PERSONAL_NOUN_POINTS = (
    "I also wanted to mention {point}.",
    "And one more thing: {point}.",
    "Don't forget about {point}.",
)
CUSTOM_POINTS = (
    "Here's one thing to know: {point}.",
    "Another point worth mentioning: {point}.",
    "Next: {point}.",
    "Also keep in mind: {point}.",
)
CUSTOM_LAST_POINT = ("And finally: {point}.", "One last thing: {point}.")

CTAS_PHONE: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "Call me today at {phone} to schedule your private showing.",
        "To see it in person, call me at {phone} and I'll set up a private tour.",
        "Ready to take a look? Call me at {phone}.",
        "Give me a call at {phone} to book your showing before someone else does.",
    ),
    VideoType.MARKET_UPDATE: (
        "If you want to know what this means for your home, call me at {phone}.",
        "Thinking about buying or selling? Call me at {phone} and let's talk strategy.",
        "For a free, no-pressure look at your home's value, call me at {phone}.",
    ),
    VideoType.PERSONAL_MESSAGE: (
        "If you need anything at all, call me anytime at {phone}.",
        "As always, I'm just a phone call away at {phone}.",
        "Give me a call at {phone} whenever it suits you.",
    ),
    VideoType.CUSTOM: (
        "Have questions? Call me at {phone}.",
        "If you'd like to talk it through, call me at {phone}.",
        "Reach out anytime at {phone}, and let's talk.",
    ),
}
CTAS_EMAIL: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: ("Email me at {email} to schedule your private showing.",),
    VideoType.MARKET_UPDATE: ("Want to know what it means for your home? Email me at {email}.",),
    VideoType.PERSONAL_MESSAGE: ("Just email me at {email} anytime.",),
    VideoType.CUSTOM: ("Have questions? Email me at {email}.",),
}
CTAS_NONE: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: (
        "Reach out today to schedule your private showing.",
        "Get in touch today and I'll set up a private tour.",
    ),
    VideoType.MARKET_UPDATE: (
        "Thinking about buying or selling? Reach out, and let's talk strategy.",
        "If you want to know what this means for your home, get in touch.",
    ),
    VideoType.PERSONAL_MESSAGE: (
        "Reach out anytime; I'm always happy to hear from you.",
        "You know where to find me, so reach out anytime.",
    ),
    VideoType.CUSTOM: ("Have questions? Reach out anytime.", "If you'd like to talk it through, get in touch."),
}
SHORT_CTAS = ("Call {phone} today.", "Call me at {phone}.")
SHORT_CTAS_NO_PHONE = ("Reach out today.", "Get in touch.")

SIGNOFFS: dict[VideoType, tuple[str, ...]] = {
    VideoType.PROPERTY_LISTING: ("I'll see you at the showing!", "Thanks for watching, and I'll see you soon."),
    VideoType.MARKET_UPDATE: ("Thanks for watching, and I'll see you next time.", "Until next time!"),
    VideoType.PERSONAL_MESSAGE: ("Talk soon!", "Take care, and talk soon.", "Thanks again, and take care."),
    VideoType.CUSTOM: ("Thanks for watching!", "Talk soon!"),
}

WORKING_TOGETHER: tuple[str, ...] = (
    "If you're buying for the first time, don't worry, I'll walk you through every step.",
    "I can connect you with trusted local lenders, so you know exactly where you stand.",
    "If you need to sell your current home first, let's talk about how to line up both moves.",
    "My job is to make this process simple, clear and as stress-free as possible.",
    "I'll make sure you have the numbers, the comparable sales and the details before you decide.",
    "No question is too small, so bring all of them.",
    "There's no pressure and no obligation; a conversation is always a good first step.",
    "Every client's situation is different, and I'll tailor the plan to yours.",
    "I'll keep you informed at every stage, so you're never left guessing.",
    "Getting pre-approved early puts you in a strong position when the right home comes along.",
    "Good advice up front can save you a lot of time, money and stress later on.",
    "I work with buyers and sellers every day, and I'd love to put that experience to work for you.",
    "We can meet around your schedule, including evenings and weekends.",
    "If you know someone who could use this, please share this video with them.",
)

FILLERS: dict[VideoType, tuple[Section, ...]] = {
    VideoType.PROPERTY_LISTING: (
        ("overview", (
            "From the moment you pull up, you can tell this one is special.",
            "It's the kind of place that feels like home the second you walk through the door.",
            "I've walked through a lot of homes, and this one really stands out.",
            "Let me walk you through a few of the things that make it special.",
            "There's a lot to love here, so let's get right into it.",
        )),
        ("points", ()),
        ("lifestyle", (
            "Imagine weekend mornings with coffee in hand and nowhere you need to be.",
            "It's just as comfortable for a quiet night in as it is for hosting friends and family.",
            "Picture the holidays here, with everyone gathered together and room for all of them.",
            "Whether you're settling down, growing a family or looking for a place to unwind, this "
            "home can grow with you.",
            "It's a home you can move right into and still make completely your own.",
            "Think about how you'd use each space, and picture your own furniture in place.",
            "Some homes just have a feeling about them, and this is one of them.",
            "You have to see it.",
            "It's a rare find.",
            "This one is special.",
        )),
        ("area", (
            "Take a drive around the neighborhood and you'll see why people love living here.",
            "When you come for a showing, give yourself a few extra minutes to explore the area.",
            "I'm happy to share what I know about the neighborhood, from schools to my favorite local "
            "spots.",
            "A great home is about more than four walls; it's about the life around it, too.",
        )),
        ("price", ()),
        ("why_now", (
            "If you've been waiting for the right time, this could be it.",
            "Homes like this tend to move quickly, so it pays to be ready.",
            "If you're still on the fence, a private showing is the best way to know how it feels.",
            "Photos only tell part of the story; you really have to see it in person.",
            "Bring the family, walk through every room, and take your time.",
            "Sometimes you just know a home is the one, and I have a feeling this could be it for "
            "someone watching.",
        )),
        ("working", (
            "I'll send you the full feature list and recent sales nearby, so you can compare with "
            "confidence.",
            "If it's not quite the right fit, I'll help you find the one that is.",
            "When you find the right home, you want to move with confidence, and that's what I'm "
            "here for.",
            *WORKING_TOGETHER,
        )),
    ),
    VideoType.MARKET_UPDATE: (
        ("context", (
            "Whether you're thinking about buying, selling or just keeping an eye on your home's "
            "value, these numbers matter.",
            "I track this data closely so you don't have to.",
            "Let's break down what's happening and what it means for you.",
            "Real estate is local, right down to the street, so the national headlines never tell "
            "the whole story.",
        )),
        ("points", ()),
        ("trends", (
            "Prices, inventory and days on market work together, and watching all three gives you "
            "the clearest picture.",
            "When inventory shifts, buyers and sellers feel it quickly in negotiations.",
            "Interest rates still shape what buyers can afford, so keep an eye on them alongside "
            "prices.",
            "Well-priced homes in good condition still get strong attention.",
            "Homes that are overpriced tend to sit, and price reductions usually follow.",
            "Seasonal swings are normal, so it's worth comparing with the same time last year.",
            "Every neighborhood moves at its own pace, and that's where local insight pays off.",
            "These numbers tell a story.",
            "Stay tuned for more.",
        )),
        ("takeaway", ()),
        ("buyers", (
            "For buyers, the key is to be prepared: get pre-approved and know your must-haves before "
            "you start touring.",
            "If you're buying, look closely at value, not just price.",
            "Buyers who do their homework and move decisively are the ones getting the homes they "
            "want.",
            "Don't try to time the market perfectly; focus on the right home at a payment you're "
            "comfortable with.",
        )),
        ("sellers", (
            "For sellers, pricing it right from day one matters more than ever.",
            "First impressions count, so presentation, photos and small repairs make a real "
            "difference.",
            "If you're selling, knowing what has sold nearby is the best starting point for your "
            "price.",
            "The homes that sell fastest are priced well, look great online and are easy to show.",
        )),
        ("owners", (
            "Even if you're not planning to move, knowing your home's value helps you make smart "
            "decisions.",
            "Many homeowners have more equity than they realize.",
            "If you're curious what your home would sell for today, I'm happy to run the numbers "
            "for you.",
        )),
        ("outlook", (
            "I'll keep watching the numbers and share what changes in my next update.",
            "Markets move, but good information and a clear plan always help.",
            "There's no one-size-fits-all answer, so let's look at your situation specifically.",
            "Follow along for my next update, so you always know where things stand.",
            *WORKING_TOGETHER,
        )),
    ),
    VideoType.PERSONAL_MESSAGE: (
        ("opening", (
            "I just wanted to take a moment to reach out personally.",
            "I hope you and your family are doing well.",
            "It really means a lot to me to work with people like you.",
            "Moments like this are exactly why I love what I do.",
            "It's been a pleasure getting to know you.",
        )),
        ("points", ()),
        ("care", (
            "Helping people with one of the biggest decisions of their lives is something I never "
            "take lightly.",
            "Your trust means the world to me, and I don't take it for granted.",
            "Homes are about the people in them, and I hope yours is full of good memories.",
            "I'm grateful for the chance to be part of your story.",
            "I love staying in touch with the people I've had the chance to work with.",
            "Wishing you all the best in the weeks and months ahead.",
            "It means a lot.",
            "I'm so grateful.",
            "Truly, thank you.",
        )),
        ("support", (
            "Please know that my job doesn't end at the closing table.",
            "If you ever have a question about your home, your neighborhood or the market, I'm "
            "here.",
            "Whether it's a contractor recommendation or a quick question about your home's value, "
            "just ask.",
            "I'm always happy to help, even if it's something small.",
            "Sometimes the smallest questions turn out to be the most important, so never hesitate "
            "to reach out.",
            "If anything changes in your plans, let's talk about it together.",
            "I'll also keep you posted on anything in the local market that could matter to you.",
            "If you ever want a quick update on what homes are selling for nearby, I'm happy to "
            "send one.",
            "I keep a list of trusted local pros, from handymen to landscapers, and I'm happy to "
            "share it.",
            "Every season brings its own home projects, and I'm glad to point you in the right "
            "direction.",
            "If you're ever thinking about a renovation, I can tell you which projects tend to add "
            "value.",
            "And if your plans ever change down the road, we'll figure out the next step together.",
        )),
        ("referrals", (
            "If you know anyone who's thinking about buying or selling, I'd be honored to help them "
            "too.",
            "Referrals from people like you are the biggest compliment I can receive.",
            "I'll treat anyone you send my way with the same care I've tried to give you.",
            "I'll be checking in from time to time, but you don't have to wait for me to call.",
            "I'd love to hear how things are going whenever you have a moment.",
            "Stories from clients like you are what keep me going, so please keep them coming.",
            "A quick message, a question or just a hello is always welcome.",
            "Thank you for being part of my world.",
            "I'm looking forward to catching up with you soon.",
            "Until then, enjoy every moment in your home.",
            "Nothing makes me happier than seeing clients settle in and thrive.",
            "I'm proud of the work we did together, and I'm glad I got to be part of it.",
            "However I can help, now or years from now, I'm only a call away.",
            "I hope this little video brightens your day.",
        )),
    ),
    VideoType.CUSTOM: (
        ("context", (
            "It's something that comes up in a lot of my conversations with clients.",
            "There's a lot of information out there, so let's keep it simple.",
            "I'll keep this practical, so you can put it to use right away.",
            "Let's break it down step by step.",
        )),
        ("points", ()),
        ("body", (
            "Every situation is a little different, so the details really matter.",
            "The right answer for you depends on your goals, your timeline and your budget.",
            "A little planning up front goes a long way.",
            "It's easy to feel overwhelmed, but you don't have to figure it out alone.",
            "The best decisions come from good information and honest advice.",
            "What works for a neighbor or a friend may not be the right move for you.",
            "Ask questions early, and don't be afraid to ask them twice.",
            "Small steps now can save you time, money and stress later.",
            "Think about where you want to be a year from now, and work backward from there.",
            "Keep this in mind.",
            "It's worth knowing.",
            "The details matter here.",
        )),
        ("working", WORKING_TOGETHER + (
            "I share tips like this regularly, so follow along for the next one.",
            "If this was helpful, pass it along to someone who could use it.",
            "I'm always happy to be a sounding board, even if you're just starting to think about "
            "it.",
            "There's no such thing as a silly question when it comes to your home.",
            "Whatever stage you're at, I'm happy to help you figure out the next step.",
            "Real estate decisions are big ones, and you deserve clear, honest answers.",
            "Sometimes the most valuable thing is simply a second opinion.",
            "Let's make sure you have a plan that fits your life, not someone else's.",
        )),
    ),
}
