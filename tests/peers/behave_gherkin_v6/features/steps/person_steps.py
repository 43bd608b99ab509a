from behave import given

@given('a person named "{name}"')
def step_given_person_with_name(ctx, name):
    pass
