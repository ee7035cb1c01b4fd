from django.shortcuts import render


def home(request):
    return render(request, "catalogue/home.html")


def search(request):
    return render(request, "catalogue/home.html")
